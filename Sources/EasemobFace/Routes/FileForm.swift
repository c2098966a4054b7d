import Foundation
import HTTPTypes
import Hummingbird
import TrefoilCore
import TrefoilFaceKit

/// A file upload as both upload calls take it: a `multipart/form-data` body whose `file` part is the file, and
/// options given as request headers (newer docs) or as form fields (older docs): `restrict-access`,
/// `thumbnail-width`, `thumbnail-height`.
struct FileForm: Sendable {
    let staged: StagedUpload
    let name: String
    let restrictAccess: Bool
    /// The thumbnail box the upload asked for, when it named either side (the other side takes the default).
    let previewBox: PreviewBox?

    /// Reads the form, staging at most `maxBytes` of file; on failure nothing is kept.
    static func receive(
        _ request: Request, uploads: UploadService, maxBytes: Int64, defaultBox: PreviewBox
    ) async -> Result<FileForm, EasemobError> {
        guard let type = request.headers[.contentType].map(ContentType.init), type.isMultipartForm else {
            return .failure(.unsupportedMediaType("multipart/form-data"))
        }
        let form: MultipartUpload
        do throws(UploadError) {
            form = try await uploads.receiveMultipart(request, fileField: "file", unnamedFile: true, maxBytes: maxBytes)
        } catch {
            return .failure(Self.failure(error))
        }
        guard let file = form.file else { return .failure(.fileMissing) }
        func option(_ name: String) -> String? {
            request.headers[HTTPField.Name(name)!] ?? form.fields[name]
        }
        let options = Result { () throws(EasemobError) -> (Bool, PreviewBox?) in
            let restrict = try Self.flag(option("restrict-access"), name: "restrict-access")
            let width = try Self.side(option("thumbnail-width"), name: "thumbnail-width")
            let height = try Self.side(option("thumbnail-height"), name: "thumbnail-height")
            let box =
                width == nil && height == nil
                ? nil : PreviewBox(width: width ?? defaultBox.width, height: height ?? defaultBox.height)
            return (restrict, box)
        }
        switch options {
        case .failure(let error):
            uploads.store.discard(file.staged)
            return .failure(error)
        case .success(let (restrict, box)):
            return .success(
                FileForm(staged: file.staged, name: file.fileName ?? "file", restrictAccess: restrict, previewBox: box))
        }
    }

    /// `true` or `false` (any case); absent is false.
    static func flag(_ text: String?, name: String) throws(EasemobError) -> Bool {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return false }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw .illegalArgument("\(name) must be true or false")
        }
    }

    /// A thumbnail side in pixels, 1 to `EasemobLimits.thumbnailSide`; absent is nil.
    static func side(_ text: String?, name: String) throws(EasemobError) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let value = Int(text), (1...EasemobLimits.thumbnailSide).contains(value) else {
            throw .illegalArgument("\(name) must be a number of pixels from 1 to \(EasemobLimits.thumbnailSide)")
        }
        return value
    }

    static func failure(_ error: UploadError) -> EasemobError {
        switch error {
        case .fileTooLarge, .bodyTooLarge: return .fileTooLarge
        case .missingBoundary: return .illegalArgument("the multipart/form-data Content-Type has no boundary")
        case .malformedMultipart(let reason): return .illegalArgument("the multipart body is malformed: \(reason)")
        case .twoFileParts: return .illegalArgument("the form has more than one file part")
        case .fileRefused:
            // The face passes no admission check; were one to refuse, the form would be what was wrong.
            return .illegalArgument("the file was refused")
        case .stagingFailed(let cause):
            if let error = cause as? TrefoilError, error == .fileTooLarge { return .fileTooLarge }
            return .serverError("the file could not be stored")
        }
    }
}

extension EasemobError {
    /// How a failed commit reads: a full space is a refused operation; anything else is the server's fault.
    static func commitFailed(_ error: any Error) -> EasemobError {
        switch error as? TrefoilError {
        case .quotaExceeded?: .forbiddenOp("the space's storage quota would be exceeded")
        case .fileCountLimit?: .forbiddenOp("the space's file count limit is reached")
        case .fileTooLarge?: .fileTooLarge
        case .invalid(_, let reason)?: .illegalArgument(reason)
        default: .serverError("the file could not be stored")
        }
    }
}
