import OneBotSpec
import TrefoilCore

/// A failed action as the OneBot 11 face reports it: a retcode, a stable `msg` key and a message.
///
/// This is the one place where core errors meet return codes (docs/onebot11.md §4).
public struct OneBotError: Error, Sendable, Equatable {
    public let retcode: Int
    public let key: String
    public let message: String

    public init(retcode: Int, key: String, message: String) {
        self.retcode = retcode
        self.key = key
        self.message = message
    }

    public static func badRequest(_ message: String) -> OneBotError {
        OneBotError(retcode: 1400, key: "BAD_REQUEST", message: message)
    }
    public static let unauthorized = OneBotError(retcode: 1401, key: "UNAUTHORIZED", message: "access token missing")
    public static let forbidden = OneBotError(retcode: 1403, key: "FORBIDDEN", message: "access token wrong")
    public static func apiNotFound(_ action: String) -> OneBotError {
        OneBotError(retcode: 1404, key: "API_NOT_FOUND", message: "unknown action: \(action)")
    }
    public static func lack(_ name: String) -> OneBotError {
        OneBotError(retcode: 10003, key: "BAD_PARAM", message: "lack of [\(name)]")
    }
    public static func invalid(_ name: String, _ reason: String) -> OneBotError {
        OneBotError(retcode: 10003, key: "BAD_PARAM", message: "invalid [\(name)]: \(reason)")
    }
    public static func unsupported(_ message: String) -> OneBotError {
        OneBotError(retcode: 10004, key: "UNSUPPORTED_PARAM", message: message)
    }
    public static func downloadFailed(_ message: String) -> OneBotError {
        OneBotError(retcode: 33001, key: "DOWNLOAD_FAILED", message: message)
    }
    /// An `_async` or `_rate_limited` action refused because the background work held is at its bound; nothing
    /// was queued. 36000 is OneBot 12's code for an implementation that will not take the work now.
    public static func backgroundQueueFull(_ message: String) -> OneBotError {
        OneBotError(retcode: 36000, key: "BACKGROUND_QUEUE_FULL", message: message)
    }
    public static func internalError(_ message: String) -> OneBotError {
        OneBotError(retcode: 20002, key: "INTERNAL_ERROR", message: message)
    }

    /// The face's view of any error an action threw.
    public init(_ error: any Error, action: String) {
        switch error {
        case let error as OneBotError: self = error
        case let error as TrefoilError: self.init(error, action: action)
        case is CancellationError:
            self = .internalError("\(action) was cancelled")
        default:
            self = .internalError("\(action) failed unexpectedly; see the gateway log")
        }
    }

    /// The face's view of a core error that `action` met; the wording of a refused value names the param
    /// that carried it.
    public init(_ error: TrefoilError, action: String) {
        let retcode =
            switch error {
            case .invalid: 10003
            case .unsupportedParam: 10004
            case .internalError: 20002
            case .databaseError: 31000
            case .localFileNotFound: 32001
            case .storageWriteFailed: 32002
            case .fileNotFound: 35001
            case .folderNotFound: 35002
            case .nameConflict: 35003
            case .quotaExceeded: 35004
            case .fileCountLimit: 35005
            case .fileTooLarge: 35006
            case .folderTooDeep: 35007
            case .noticeNotFound: 35008
            case .ticketUsed: 35009
            case .uploadNotFound: 35010
            case .digestMismatch: 35011
            case .uploadIncomplete: 35012
            case .tooManyPendingUploads: 35013
            }
        let message =
            switch error {
            case .invalid(let field, let reason): "invalid [\(Self.param(carrying: field, in: action))]: \(reason)"
            case .quotaExceeded:
                Self.isPrivate(action) ? "private file storage quota exceeded" : "group storage quota exceeded"
            case .fileCountLimit:
                Self.isPrivate(action) ? "private file count limit reached" : "group file count limit reached"
            default: error.message
            }
        self.init(retcode: retcode, key: error.key, message: message)
    }

    /// The param of `action` that carried a value of `field`.
    static func param(carrying field: TrefoilError.Field, in action: String) -> String {
        switch field {
        case .fileName: action == ActionCatalog.renameGroupFile.name ? Param.newName.name : Param.uploadName.name
        case .folderName: Param.folderName.name
        case .folder: Param.folderID.name
        case .localPath: Param.file.name
        case .ownerID: isPrivate(action) ? Param.userID.name : Param.groupID.name
        // No OneBot action sets a file's options.
        case .previewBox: field.rawValue
        // The notice actions' text param.
        case .noticeText: "content"
        // No OneBot action spends an upload ticket.
        case .ticketID: field.rawValue
        case .piece:
            action == ActionCatalog.uploadFileStream.name
                ? Param.chunkIndex.name
                : action == ActionCatalog.uploadFileToShamrock.name ? "offset/file_size" : Param.fragmentOffset.name
        case .digest: action == ActionCatalog.uploadFileToShamrock.name ? Param.chunkMD5.name : Param.sha256.name
        }
    }

    /// Whether `action` works on a user's private files rather than a group's.
    private static func isPrivate(_ action: String) -> Bool {
        action == ActionCatalog.uploadPrivateFile.name || action == ActionCatalog.getPrivateFileURL.name
    }
}
