import Foundation

/// The id of a stored file: `"/"` followed by a lowercase UUID, stable for the file's whole life.
public struct FileID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Wraps an id received from a client. Any text is accepted: an id that was never issued is
    /// simply not found.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// A fresh id.
    public static func make() -> FileID { FileID("/" + randomUUIDText()) }

    public var description: String { rawValue }

    /// Whether `text` has the shape of an issued id: `/` and a lowercase UUID.
    public static func isFresh(_ text: String) -> Bool {
        guard text.utf8.count == 37, text.hasPrefix("/") else { return false }
        for (index, byte) in text.utf8.dropFirst().enumerated() {
            switch index {
            case 8, 13, 18, 23: guard byte == UInt8(ascii: "-") else { return false }
            default: guard (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) else { return false }
            }
        }
        return true
    }
}

/// A random (version 4) UUID as lowercase text, `8-4-4-4-12` hex digits. Foundation's `UUID()` on Linux opens, reads
/// and closes `/dev/urandom` for each one: three system calls inside an upload's database transaction (strace, issue
/// 18). The system generator is one `getrandom` per 64 bits.
func randomUUIDText() -> String {
    var generator = SystemRandomNumberGenerator()
    var bytes = [UInt8](repeating: 0, count: 16)
    for half in 0..<2 {
        let random: UInt64 = generator.next()
        for index in 0..<8 { bytes[half * 8 + index] = UInt8(truncatingIfNeeded: random >> (index * 8)) }
    }
    bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
    bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 9562's variant
    var text = Array(bytes.hexString.utf8)
    for position in [20, 16, 12, 8] { text.insert(UInt8(ascii: "-"), at: position) }
    return String(decoding: text, as: UTF8.self)
}

/// The id of a folder: `"/"` for a space's root, otherwise `"/"` followed by a lowercase UUID.
public struct FolderID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The root folder of every space.
    public static let root = FolderID("/")

    /// A fresh id for a new folder.
    public static func make() -> FolderID { FolderID("/" + randomUUIDText()) }

    public var isRoot: Bool { self == .root }
    public var description: String { rawValue }
}

/// The kinds of space: what an owner id names.
///
/// A group's shared files and a user's private files are the kinds in use; chat attachments of an app, staged
/// uploads that belong to no one yet and avatars are the kinds the next faces add.
public enum SpaceKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case group
    case user
    case app
    case staging
    case avatar

    public var description: String { rawValue }
}

/// Whose files these are: one space, named by its kind and its owner's id.
///
/// Owner ids are text, as the platforms write them: a QQ group is its number in decimal (`"123"`), an Easemob
/// user a name (`"u1"`). Every file lives in exactly one space.
public struct Owner: Hashable, Sendable, CustomStringConvertible {
    public var kind: SpaceKind
    public var id: String

    public init(_ kind: SpaceKind, _ id: String) {
        self.kind = kind
        self.id = id
    }

    /// A group's shared files.
    public static func group(_ id: String) -> Owner { Owner(.group, id) }

    /// A user's private files.
    public static func user(_ id: String) -> Owner { Owner(.user, id) }

    public var description: String { "\(kind) \(id)" }
}

/// Whether a file is kept until deleted or expires.
public enum FileLifetime: Sendable, Equatable {
    /// Kept until deleted.
    case permanent
    /// Deleted at its `deadTime` unless made permanent.
    case temporary
}
