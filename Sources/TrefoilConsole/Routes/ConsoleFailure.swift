import HTTPTypes
import TrefoilCore
import TrefoilFaceKit

/// A store or upload failure as the console tells an admin, with the status a script's upload gets.
struct ConsoleFailure: Sendable {
    let status: HTTPResponse.Status
    let message: String

    /// A full quota or file count: the store is refusing space, not the request.
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")

    init(_ error: any Error, language: ConsoleLanguage) {
        switch error {
        case let error as TrefoilError: self.init(error, language: language)
        case let error as UploadError: self.init(error, language: language)
        default: self.init(status: .internalServerError, message: language.text("error_store", "\(error)"))
        }
    }

    init(status: HTTPResponse.Status, message: String) {
        self.status = status
        self.message = message
    }

    init(_ error: TrefoilError, language: ConsoleLanguage) {
        switch error {
        case .invalid(_, let reason): self.init(status: .badRequest, message: language.text("error_name", reason))
        case .fileNotFound, .folderNotFound: self.init(status: .notFound, message: language.text("not_found"))
        case .nameConflict: self.init(status: .conflict, message: language.text("error_conflict"))
        case .folderTooDeep: self.init(status: .badRequest, message: language.text("error_too_deep"))
        case .quotaExceeded: self.init(status: Self.insufficientStorage, message: language.text("error_quota"))
        case .fileCountLimit: self.init(status: Self.insufficientStorage, message: language.text("error_file_count"))
        case .fileTooLarge: self.init(status: .contentTooLarge, message: language.text("error_too_large"))
        default: self.init(status: .internalServerError, message: language.text("error_store", error.message))
        }
    }

    init(_ error: UploadError, language: ConsoleLanguage) {
        switch error {
        case .bodyTooLarge, .fileTooLarge:
            self.init(status: .contentTooLarge, message: language.text("error_too_large"))
        case .stagingFailed(let inner), .fileRefused(let inner): self.init(inner, language: language)
        case .missingBoundary, .malformedMultipart, .twoFileParts:
            self.init(status: .badRequest, message: language.text("bad_request"))
        }
    }
}
