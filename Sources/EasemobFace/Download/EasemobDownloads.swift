import HTTPTypes
import TrefoilCore
import TrefoilFaceKit

/// `GET|HEAD …/chatfiles/{uuid}` and `…/chatgroups/{group_id}/share_files/{file_id}`: the bytes, served by the shared
/// pipeline (sendfile, Range, ETag), or the service's error.
///
/// A chat file uploaded with `restrict-access: true` needs its secret, as the `share-secret` header or the
/// `?share-secret=` query; a missing or wrong secret gets exactly what an unknown uuid gets, so the answer never
/// tells whether such a file exists. A file past its retention is `file_expired` (to a caller who could have read
/// it) for as long as the store remembers it (`FileTree.tombstoneSeconds`).
struct EasemobDownloads: DownloadRoute {
    let app: EasemobApp
    let gate: CallGate
    let store: FileTree
    let signer: LinkSigner
    let thumbnails: Thumbnails
    let defaultBox: PreviewBox

    private enum Target {
        case chatFile(Substring)
        case shareFile(group: Substring, file: Substring)
    }

    private static let shareSecret = HTTPField.Name("share-secret")!
    private static let thumbnail = HTTPField.Name("thumbnail")!

    func matches(path: Substring) -> Bool { target(path) != nil }

    private func target(_ path: Substring) -> Target? {
        guard let rest = app.relativePath(path) else { return nil }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 3, parts[1] == "chatfiles", !parts[2].isEmpty { return .chatFile(parts[2]) }
        if parts.count == 5, parts[1] == "chatgroups", !parts[2].isEmpty, parts[3] == "share_files", !parts[4].isEmpty {
            return .shareFile(group: parts[2], file: parts[4])
        }
        return nil
    }

    func resolve(_ request: DownloadRequest) async -> DownloadResolution {
        let started = ContinuousClock.now
        if let refusal = gate.refusal(authorization: request.headers[.authorization]) {
            return .refused(refusal.refusal(started: started))
        }
        let wantsThumbnail = request.headers[Self.thumbnail]?.lowercased() == "true"
        switch target(Substring(request.path)) {
        case .chatFile(let uuid)?:
            let secret = request.headers[Self.shareSecret] ?? request.queryItems["share-secret"]
            return await chatFile(uuid, secret: secret, thumbnail: wantsThumbnail, started: started)
        case .shareFile(let group, let file)?:
            return await shareFile(file, group: group, thumbnail: wantsThumbnail, started: started)
        case nil:
            return .refused(EasemobError.noSuchAPI.refusal(started: started))
        }
    }

    private func chatFile(_ uuid: Substring, secret: String?, thumbnail: Bool, started: ContinuousClock.Instant) async
        -> DownloadResolution
    {
        let unknown = DownloadResolution.refused(EasemobError.fileUnknown.refusal(started: started))
        guard let id = EasemobIDs.file(uuid) else { return unknown }
        let lookup: FileLookup
        do {
            lookup = try await store.lookup(id)
        } catch {
            return .refused(EasemobError.serverError("the file could not be read").refusal(started: started))
        }
        let opens = { (required: Bool) in
            !required || secret.map { signer.isAccessSecret($0, for: id) } == true
        }
        switch lookup {
        case .live(let file) where file.owner == app.space && opens(file.options.secretRequired):
            guard thumbnail else { return .file(file) }
            return await thumbnails.resolve(file, box: file.options.previewBox ?? defaultBox, started: started)
        case .expired(let gone) where gone.owner == app.space && opens(gone.secretRequired):
            return .refused(EasemobError.fileExpired(String(uuid)).refusal(started: started))
        default:
            return unknown
        }
    }

    private func shareFile(
        _ rawFile: Substring, group rawGroup: Substring, thumbnail: Bool,
        started: ContinuousClock.Instant
    ) async -> DownloadResolution {
        guard let group = EasemobIDs.group(rawGroup) else {
            return .refused(EasemobError.groupUnknown(String(rawGroup)).refusal(started: started))
        }
        let unknown = DownloadResolution.refused(
            EasemobError.shareFileUnknown(String(rawFile)).refusal(started: started))
        guard let id = EasemobIDs.file(rawFile) else { return unknown }
        switch try? await store.lookup(id) {
        case .live(let file)? where file.owner == .group(group):
            guard thumbnail else { return .file(file) }
            return await thumbnails.resolve(file, box: file.options.previewBox ?? defaultBox, started: started)
        case .expired(let gone)? where gone.owner == .group(group):
            return .refused(EasemobError.fileExpired(String(rawFile)).refusal(started: started))
        case nil:
            return .refused(EasemobError.serverError("the file could not be read").refusal(started: started))
        default:
            return unknown
        }
    }
}
