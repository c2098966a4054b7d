/// Every failure the core can report.
///
/// Each case is one kind of failure of the store. Faces map a case to their own return code in one place; the
/// core never names a protocol.
public enum TrefoilError: Error, Sendable, Equatable {
    /// A value the store refuses: `field` names it in the store's own terms, the text says why.
    case invalid(Field, String)
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
    /// The space would hold more bytes than its kind's `totalSpace`.
    case quotaExceeded
    /// The space would hold more files than its kind's `fileLimit`.
    case fileCountLimit
    /// The file is larger than `limits.max_file_bytes`.
    case fileTooLarge
    /// The folder would be deeper than `limits.max_folder_depth`.
    case folderTooDeep
    /// The space has no notice with that id.
    case noticeNotFound
    /// The single-use ticket a commit named was already used, or expired before the commit (`FileTree.commit`).
    case ticketUsed
    /// No pending upload has this id: it was finished, cancelled, abandoned past its idle timeout, or begun before
    /// a restart (pending uploads live in memory and `tmp/`).
    case uploadNotFound
    /// The bytes of a pending upload do not have the digest its client gave; the upload was discarded. The text
    /// names both digests.
    case digestMismatch(String)
    /// A pending upload was finished while bytes or chunks were still missing; it stays pending. The text says
    /// what is missing.
    case uploadIncomplete(String)
    /// A bound on pending uploads (per client, in total, or on their bytes) would be passed; the text names it.
    case tooManyPendingUploads(String)
    /// A bug: an invariant did not hold. The text names what.
    case internalError(String)

    /// The stable machine key (`msg`) of this error.
    public var key: String {
        switch self {
        case .invalid: "BAD_PARAM"
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
        case .noticeNotFound: "NOTICE_NOT_FOUND"
        case .ticketUsed: "TICKET_USED"
        case .uploadNotFound: "UPLOAD_NOT_FOUND"
        case .digestMismatch: "DIGEST_MISMATCH"
        case .uploadIncomplete: "UPLOAD_INCOMPLETE"
        case .tooManyPendingUploads: "TOO_MANY_PENDING_UPLOADS"
        case .internalError: "INTERNAL_ERROR"
        }
    }

    /// A human-readable reason, safe to send to a client.
    public var message: String {
        switch self {
        case .invalid(let field, let reason): "invalid \(field.rawValue): \(reason)"
        case .unsupportedParam(let text), .localFileNotFound(let text), .storageWriteFailed(let text),
            .digestMismatch(let text), .uploadIncomplete(let text), .tooManyPendingUploads(let text):
            text
        case .databaseError(let text): "database error: \(text)"
        case .internalError(let text): "internal error: \(text)"
        case .fileNotFound: "file not found"
        case .folderNotFound: "folder not found"
        case .nameConflict: "a folder with this name already exists here"
        case .quotaExceeded: "the space's storage quota would be exceeded"
        case .fileCountLimit: "the space's file count limit is reached"
        case .fileTooLarge: "file is larger than the per-file limit"
        case .folderTooDeep: "folder nesting is deeper than allowed"
        case .noticeNotFound: "notice not found"
        case .ticketUsed: "the upload ticket was already used or has expired"
        case .uploadNotFound:
            "no pending upload with this id (finished, cancelled, abandoned, or begun before a restart)"
        }
    }
}

extension TrefoilError {
    /// What an `.invalid` value is, in the store's terms; a face names the parameter that carried it.
    public enum Field: String, Sendable, Equatable, CaseIterable {
        case fileName = "file name"
        case folderName = "folder name"
        /// A folder given to an operation that refuses it (the root cannot be renamed or deleted).
        case folder
        /// A path to read an upload from.
        case localPath = "local path"
        /// The id of a space's owner.
        case ownerID = "owner id"
        /// A file's preview box (`FileOptions.previewBox`).
        case previewBox = "preview box"
        /// The text of a space's notice.
        case noticeText = "notice text"
        /// The id of a single-use ticket (`TicketUse.id`).
        case ticketID = "ticket id"
        /// Where a piece of a pending upload goes: its offset, length or chunk index.
        case piece = "piece"
        /// A digest a client gave to be checked (hex text of the wrong length or alphabet).
        case digest = "digest"
    }
}

extension TrefoilError: CustomStringConvertible {
    public var description: String { "\(key): \(message)" }
}
