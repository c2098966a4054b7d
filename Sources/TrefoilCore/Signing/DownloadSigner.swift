import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Signs and verifies download links: HMAC-SHA256 over a file id and an expiry time.
///
/// The signature is the whole credential of a download URL, so verification runs in constant time
/// and the key never leaves the process (or the data directory, when it was generated).
public struct DownloadSigner: Sendable {
    private let key: SymmetricKey

    public init(key: SymmetricKey) { self.key = key }

    /// Uses `configured` (the `download.signing_key` setting) when it is not empty; otherwise a
    /// random 256-bit key generated once and kept in the data directory, so links survive restarts.
    public static func load(configured: String, directory: DataDirectory) throws(TrefoilError) -> DownloadSigner {
        if !configured.isEmpty { return DownloadSigner(key: SymmetricKey(data: Data(configured.utf8))) }
        let path = directory.signingKeyPath
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
            let bytes = Data(hex: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32
        {
            return DownloadSigner(key: SymmetricKey(data: bytes))
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
        return DownloadSigner(key: key)
    }

    /// The URL-safe signature for `file` valid until `expires` (Unix seconds).
    public func signature(for file: FileID, expires: Int64) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Self.message(file, expires), using: key)
        return Data(code).base64URLEncoded()
    }

    /// Whether `signature` was made by this key for `file` and `expires`, and `expires` is still ahead.
    public func isValid(signature: String, for file: FileID, expires: Int64, now: Int64) -> Bool {
        guard expires > now, let code = Data(base64URLEncoded: signature) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Self.message(file, expires), using: key)
    }

    private static func message(_ file: FileID, _ expires: Int64) -> Data {
        Data("\(file.rawValue)|\(expires)".utf8)
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

    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
