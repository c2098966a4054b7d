import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a signed link lets its holder do. The purpose is part of what is signed, so a signature minted for one
/// purpose is never accepted for another.
public enum LinkPurpose: String, Sendable, CaseIterable {
    /// Read a stored file; the subject is its `FileID`.
    case download
    /// Upload into a place the ticket names.
    case uploadTicket = "upload-ticket"
    /// Read a file shared with people who hold the link.
    case share
    /// The secret a file's downloads present when its uploader asked for one (`FileOptions.secretRequired`); the
    /// subject is its `FileID`.
    case accessSecret = "access-secret"
    /// A face's bearer token for an app; the subject names the app (and whatever else the face binds to it).
    case appToken = "app-token"
}

/// Signs and verifies links: HMAC-SHA256 over a purpose, a subject and an expiry time.
///
/// The signature is the whole credential of a link, so verification runs in constant time and the key never
/// leaves the process (or the data directory, when it was generated).
///
/// What is signed, for subject `s` and expiry `e`:
/// - a download of a file id (every issued id starts with `/`): `s|e`, byte for byte what releases before link
///   purposes signed, so every download link they minted keeps verifying until it expires;
/// - anything else: `purpose|s|e`, where no purpose's name starts with `/` or contains `|`.
///
/// So no message of one purpose is a message of another: it starts with `/` only for downloads, and otherwise
/// its first field (up to the first `|`) is its purpose's name. Within a purpose the expiry is the text after the
/// last `|` and holds no `|`, so a message names one subject and one expiry.
public struct LinkSigner: Sendable {
    private let key: SymmetricKey
    /// An HMAC already keyed, copied for every check and every signature: deriving the pads from the key again for
    /// every download was a measurable part of answering a small one (perf, issue 18).
    private let keyed: HMAC<SHA256>

    public init(key: SymmetricKey) {
        self.key = key
        keyed = HMAC<SHA256>(key: key)
    }

    /// Uses `configured` (the `download.signing_key` setting) when it is not empty; otherwise a
    /// random 256-bit key generated once and kept in the data directory, so links survive restarts.
    public static func load(configured: String, directory: DataDirectory) throws(TrefoilError) -> LinkSigner {
        if !configured.isEmpty { return LinkSigner(key: SymmetricKey(data: Data(configured.utf8))) }
        let path = directory.signingKeyPath
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
            let bytes = Data(hex: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32
        {
            return LinkSigner(key: SymmetricKey(data: bytes))
        }
        let key = SymmetricKey(size: .bits256)
        let hex = key.withUnsafeBytes { Array($0).hexString } + "\n"
        let temp = path + ".new"
        guard
            FileManager.default.createFile(
                atPath: temp, contents: Data(hex.utf8), attributes: [.posixPermissions: 0o600]),
            rename(temp, path) == 0
        else { throw .storageWriteFailed("cannot write the signing key to \(path)") }
        syncDirectory(directory.root.path)
        return LinkSigner(key: key)
    }

    /// The URL-safe signature of a link for `purpose` and `subject`, valid until `expires` (Unix seconds).
    public func signature(_ purpose: LinkPurpose, subject: String, expires: Int64) -> String {
        // The pre-keyed HMAC, as for checks: keying it again was a third of signing an upload's link (perf).
        var mac = keyed
        mac.update(data: Self.message(purpose, subject, expires))
        return Data(mac.finalize()).base64URLEncoded()
    }

    /// Whether `signature` was made by this key for `purpose`, `subject` and `expires`, and `expires` is still
    /// ahead of `now`.
    public func isValid(signature: String, _ purpose: LinkPurpose, subject: String, expires: Int64, now: Int64)
        -> Bool
    {
        expires > now && isAuthentic(signature: signature, purpose, subject: subject, expires: expires)
    }

    /// Whether `signature` was made by this key for `purpose`, `subject` and `expires`, whatever the time: for
    /// credentials whose expiry means something else (0 for a token that never expires). Constant time.
    public func isAuthentic(signature: String, _ purpose: LinkPurpose, subject: String, expires: Int64) -> Bool {
        guard let code = Data(base64URLEncoded: signature) else { return false }
        var mac = keyed
        mac.update(data: Self.message(purpose, subject, expires))
        // A MAC compared with bytes is compared in constant time.
        return mac.finalize() == code
    }

    /// The access secret of a file: the same for the file's whole life and across restarts (it is derived from the
    /// key, not stored), different for every file and every key.
    ///
    /// It is the first 22 characters of the URL-safe signature for `accessSecret`, the file's id and expiry 0:
    /// 132 bits, more than the 122 random bits of the file's own id, so no one guesses it; the full 43 would only
    /// make it longer to send.
    public func accessSecret(for id: FileID) -> String {
        String(signature(.accessSecret, subject: id.rawValue, expires: 0).prefix(Self.accessSecretLength))
    }

    /// Whether `secret` is the access secret of the file `id`, compared in constant time.
    public func isAccessSecret(_ secret: String, for id: FileID) -> Bool {
        let expected = Array(accessSecret(for: id).utf8)
        let given = Array(secret.utf8)
        guard given.count == expected.count else { return false }
        return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Characters of an access secret.
    static let accessSecretLength = 22

    static func message(_ purpose: LinkPurpose, _ subject: String, _ expires: Int64) -> Data {
        if purpose == .download, subject.hasPrefix("/") { return Data("\(subject)|\(expires)".utf8) }
        return Data("\(purpose.rawValue)|\(subject)|\(expires)".utf8)
    }
}

extension Data {
    init?(hex: String) {
        guard hex.utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(hex.utf8.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }

    /// Base64url without padding (RFC 4648 §5), the form of every signature in a link.
    ///
    /// Byte by byte: three `replacingOccurrences` on the base64 text went through Foundation's `NSString` and were
    /// the largest cost of issuing a Qiniu IM upload ticket (two signatures and a policy each; perf, release).
    public func base64URLEncoded() -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity((count + 2) / 3 * 4)
        for byte in base64EncodedData() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): bytes.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): continue
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes of base64url text (padding optional; `+` and `/` read as in base64, as before), or nil.
    public init?(base64URLEncoded text: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 3)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "-"): bytes.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): bytes.append(UInt8(ascii: "/"))
            default: bytes.append(byte)
            }
        }
        while bytes.count % 4 != 0 { bytes.append(UInt8(ascii: "=")) }
        self.init(base64Encoded: Data(bytes))
    }
}
