import TrefoilCore

/// The face's signed names: `file_sign` (a chat or group file), `object_name` (a user's or group's current avatar)
/// and `store_token` (a user's long-lived file token). Each is text then `.` then the data directory's signature of
/// it with this app's id, so one cannot be forged, moved to another app, or passed off as another kind.
struct QiniuSigns: Sendable {
    let signer: LinkSigner
    let appID: String

    // MARK: file_sign

    /// `<uuid>.<signature>` for a stored file.
    func fileSign(_ id: FileID) -> String {
        let uuid = String(id.rawValue.dropFirst())
        return "\(uuid).\(signature("file", uuid))"
    }

    /// The file a `file_sign` names, or nil when it is not one this app minted.
    func file(fromSign text: String) -> FileID? {
        guard let (subject, signature) = Self.split(text), isAuthentic(signature, "file", subject) else { return nil }
        return FileID("/" + subject)
    }

    // MARK: object_name

    /// An avatar's owner, as `object_name` names it: `user-<id>` or `group-<id>`.
    enum AvatarOwner: Sendable, Equatable {
        case user(Int64)
        case group(Int64)

        var name: String {
            switch self {
            case .user(let id): "user-\(id)"
            case .group(let id): "group-\(id)"
            }
        }
    }

    func objectName(_ owner: AvatarOwner) -> String { "\(owner.name).\(signature("avatar", owner.name))" }

    func avatarOwner(fromObjectName text: String) -> AvatarOwner? {
        guard let (subject, signature) = Self.split(text), isAuthentic(signature, "avatar", subject) else { return nil }
        if subject.hasPrefix("user-"), let id = Int64(subject.dropFirst(5)) { return .user(id) }
        if subject.hasPrefix("group-"), let id = Int64(subject.dropFirst(6)) { return .group(id) }
        return nil
    }

    // MARK: store_token

    /// `<user>.<expires>.<signature>`: lets its holder download the files its user may read, without headers.
    func storeToken(user: Int64, expires: Int64) -> String {
        let subject = "\(user).\(expires)"
        return "\(subject).\(signer.signature(.share, subject: "qiniu-store|\(appID)|\(user)", expires: expires))"
    }

    /// The user a `store_token` stands for at `now`, or nil.
    func user(fromStoreToken text: String, now: Int64) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let user = Int64(parts[0]), let expires = Int64(parts[1]),
            signer.isValid(
                signature: String(parts[2]), .share, subject: "qiniu-store|\(appID)|\(user)", expires: expires, now: now
            )
        else { return nil }
        return user
    }

    // MARK: -

    private func signature(_ kind: String, _ subject: String) -> String {
        signer.signature(.share, subject: "qiniu-\(kind)|\(appID)|\(subject)", expires: 0)
    }

    private func isAuthentic(_ signature: String, _ kind: String, _ subject: String) -> Bool {
        signer.isAuthentic(signature: signature, .share, subject: "qiniu-\(kind)|\(appID)|\(subject)", expires: 0)
    }

    private static func split(_ text: String) -> (String, String)? {
        guard let dot = text.lastIndex(of: "."), dot != text.startIndex else { return nil }
        return (String(text[..<dot]), String(text[text.index(after: dot)...]))
    }
}
