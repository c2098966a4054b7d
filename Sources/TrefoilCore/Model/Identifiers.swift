import Foundation

/// The id of a stored file: `"/"` followed by a lowercase UUID, stable for the file's whole life.
public struct FileID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Wraps an id received from a client. Any text is accepted: an id that was never issued is
    /// simply not found.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// A fresh id.
    public static func make() -> FileID { FileID("/" + UUID().uuidString.lowercased()) }

    public var description: String { rawValue }
}

/// The id of a folder: `"/"` for a space's root, otherwise `"/"` followed by a lowercase UUID.
public struct FolderID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The root folder of every space.
    public static let root = FolderID("/")

    /// A fresh id for a new folder.
    public static func make() -> FolderID { FolderID("/" + UUID().uuidString.lowercased()) }

    public var isRoot: Bool { self == .root }
    public var description: String { rawValue }
}

/// Whose files these are: a group's shared tree or one user's private files.
///
/// Every file lives in exactly one space; later faces add kinds (conversations, staged files).
public enum Owner: Hashable, Sendable, CustomStringConvertible {
    case group(Int64)
    case user(Int64)

    var kind: String {
        switch self {
        case .group: "group"
        case .user: "user"
        }
    }

    var number: Int64 {
        switch self {
        case .group(let id), .user(let id): id
        }
    }

    init?(kind: String, number: Int64) {
        switch kind {
        case "group": self = .group(number)
        case "user": self = .user(number)
        default: return nil
        }
    }

    public var description: String { "\(kind) \(number)" }
}

/// Whether a file is kept until deleted or expires.
public enum FileLifetime: Sendable, Equatable {
    /// Kept until deleted.
    case permanent
    /// Deleted at its `deadTime` unless made permanent.
    case temporary
}
