import Crypto
import Foundation
import TrefoilCore

/// The one app this face serves: its names, its paths, the ids its answers carry.
struct EasemobApp: Sendable {
    let orgName: String
    let appName: String
    /// The app's UUID (`application` in every answer): derived from the app key, so it is the same on every start.
    let uuid: String
    /// Where the routes live: `/{org}/{app}`, and `/app-id/{app_id}` when an App ID is configured.
    let prefixes: [String]
    /// The base of the URLs the answers carry (`uri`, `file_url`): the public URL and `/{org}/{app}`, whichever
    /// prefix the request came by (the service answers `/app-id/…` calls with `/{org}/{app}` URLs too).
    let uriBase: String

    init(settings: EasemobSettings, publicURL: String) {
        orgName = settings.orgName
        appName = settings.appName
        let canonical = "/\(settings.orgName)/\(settings.appName)"
        prefixes = settings.appID.isEmpty ? [canonical] : [canonical, "/app-id/\(settings.appID)"]
        uriBase = publicURL + canonical
        uuid = Self.uuid(of: "\(settings.orgName)#\(settings.appName)")
    }

    /// The app's own space: where chat files live.
    var space: Owner { Owner(.app, "\(orgName)#\(appName)") }

    /// `path` (a request path, percent-encoded) after the prefix it starts with, or nil when it starts with none.
    func relativePath(_ path: Substring) -> Substring? {
        // A path compares as bytes: every download's path may be asked here, and `hasPrefix` compares characters.
        for prefix in prefixes where path.utf8.starts(with: prefix.utf8) {
            let rest = Substring(path.utf8.dropFirst(prefix.utf8.count))
            if rest.isEmpty || rest.utf8.first == UInt8(ascii: "/") { return rest }
        }
        return nil
    }

    /// Who the app's own calls act as: app-token calls are the app admin's, and the service names no user for them.
    static let admin = Member(id: "admin", name: "admin")

    /// A name that is one path segment as it is (config values that end up in paths).
    static func isPathSegment(_ text: String) -> Bool {
        !text.isEmpty && text != "." && text != ".."
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            }
    }

    /// A name-based UUID (version 5 layout over SHA-256) of `name`.
    static func uuid(of name: String) -> String {
        var bytes = Array(SHA256.hash(data: Data(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(hex.dropFirst(range.lowerBound).prefix(range.count))
        }
        return parts.joined(separator: "-")
    }
}

/// Ids as the service writes them: a stored file's id without its leading `/` (a lowercase UUID).
enum EasemobIDs {
    /// The Easemob id (`uuid`, `file_id`) of a stored file.
    static func wire(_ id: FileID) -> String { String(id.rawValue.dropFirst()) }

    /// The stored file an Easemob id names, or nil when the text is not a lowercase UUID (then nothing was issued
    /// under it).
    static func file(_ text: Substring) -> FileID? {
        guard text.utf8.count == 36 else { return nil }
        for (index, byte) in text.utf8.enumerated() {
            switch index {
            case 8, 13, 18, 23: guard byte == UInt8(ascii: "-") else { return nil }
            default:
                guard (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) else { return nil }
            }
        }
        return FileID("/" + text)
    }

    /// A group id as the routes take it: 1 to 64 letters, digits, `-` or `_` (Easemob's are digits; OneBot's
    /// `group_id` 123 is the group `"123"`), or nil.
    static func group(_ text: Substring) -> String? {
        guard let decoded = String(text).removingPercentEncoding, (1...64).contains(decoded.utf8.count),
            decoded.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            })
        else { return nil }
        return decoded
    }
}
