/// Every failure the core can report.
///
/// Each case is one kind of failure of the store. Faces map a case to their own return code in one place; the
/// core never names a protocol.
public enum TrefoilError: Error, Sendable, Equatable {
    /// A parameter is missing or malformed; the text says which and why.
    case badParam(String)
    /// A source that the configuration refuses (a local path outside the allowed roots).
    case unsupportedParam(String)
    /// A local path that does not exist or cannot be read.
    case localFileNotFound(String)
    /// SQLite failed: disk full, corruption, a busy timeout.
    case databaseError(String)
    /// Writing a blob failed; nothing was half-stored.
    case storageWriteFailed(String)
    case fileNotFound
    case folderNotFound
    /// A folder of that name already exists under that parent.
    case nameConflict
    /// The group's `total_space` would be exceeded.
    case quotaExceeded
    /// The group's `limit_count` would be exceeded.
    case fileCountLimit
    /// The file is larger than `limits.max_file_bytes`.
    case fileTooLarge
    /// The folder would be deeper than `limits.max_folder_depth`.
    case folderTooDeep
    /// A bug: an invariant did not hold. The text names what.
    case internalError(String)

    /// The stable machine key (`msg`) of this error.
    public var key: String {
        switch self {
        case .badParam: "BAD_PARAM"
        case .unsupportedParam: "UNSUPPORTED_PARAM"
        case .localFileNotFound: "LOCAL_FILE_NOT_FOUND"
        case .databaseError: "DATABASE_ERROR"
        case .storageWriteFailed: "STORAGE_WRITE_FAILED"
        case .fileNotFound: "FILE_NOT_FOUND"
        case .folderNotFound: "FOLDER_NOT_FOUND"
        case .nameConflict: "NAME_CONFLICT"
        case .quotaExceeded: "QUOTA_EXCEEDED"
        case .fileCountLimit: "FILE_COUNT_LIMIT"
        case .fileTooLarge: "FILE_TOO_LARGE"
        case .folderTooDeep: "FOLDER_TOO_DEEP"
        case .internalError: "INTERNAL_ERROR"
        }
    }

    /// A human-readable reason, safe to send to a client.
    public var message: String {
        switch self {
        case .badParam(let text), .unsupportedParam(let text), .localFileNotFound(let text),
            .storageWriteFailed(let text):
            text
        case .databaseError(let text): "database error: \(text)"
        case .internalError(let text): "internal error: \(text)"
        case .fileNotFound: "file not found"
        case .folderNotFound: "folder not found"
        case .nameConflict: "a folder with this name already exists here"
        case .quotaExceeded: "group storage quota exceeded"
        case .fileCountLimit: "group file count limit reached"
        case .fileTooLarge: "file is larger than the per-file limit"
        case .folderTooDeep: "folder nesting is deeper than allowed"
        }
    }
}

extension TrefoilError: CustomStringConvertible {
    public var description: String { "\(key): \(message)" }
}
