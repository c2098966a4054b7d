import Hummingbird
import OneBotV11
import TrefoilCore
import TrefoilFaceKit

/// The OneBot upload actions' bodies that carry the file itself, staged by the shared `UploadService`: a
/// `multipart/form-data` form whose `file` part is the content, or a raw body (`PUT`, or `POST` with
/// `application/octet-stream`) with the params in the query. Failures answer in OneBot's envelope.
struct UploadReceiver: Sendable {
    let table: ActionTable
    let uploads: UploadService

    /// A raw body is the file; `name` comes from the query or a Content-Disposition header.
    func raw(_ request: Request, action: String, query: Params) async -> Response {
        if let refused = await table.precheckUpload(action, params: query) { return .envelope(refused) }
        let upload: RawUpload
        do throws(UploadError) {
            upload = try await uploads.receiveRaw(request)
        } catch {
            return Self.failure(error, action: action)
        }
        return .envelope(
            await table.commitUpload(action, params: query, staged: upload.staged, suggestedName: upload.suggestedName))
    }

    /// A multipart form: the `file` part streams to storage while the other fields are collected; fields may come
    /// before or after the file.
    func multipart(_ request: Request, action: String, query: Params) async -> Response {
        let form: MultipartUpload
        do throws(UploadError) {
            form = try await uploads.receiveMultipart(request)
        } catch {
            return Self.failure(error, action: action)
        }
        let params = Params(strings: form.fields).merging(under: query)
        guard let file = form.file else {
            // No file part: the form carries params only (for example a `file` URL or base64).
            return .envelope(await table.respond(to: ActionRequest(action: action, params: params)))
        }
        return .envelope(
            await table.commitUpload(action, params: params, staged: file.staged, suggestedName: file.fileName))
    }

    /// The text fields of a small multipart body, for actions that are not uploads.
    static func fields(of body: ByteBuffer, contentType: ContentType) -> BodyParams {
        do throws(UploadError) {
            return .params(Params(strings: try UploadService.fields(of: body, contentType: contentType)))
        } catch {
            return .refused(failure(error, action: ""))
        }
    }

    /// The OneBot answer to a body that could not be staged.
    static func failure(_ error: UploadError, action: String) -> Response {
        switch error {
        case .bodyTooLarge:
            return .failure(.badRequest("the body is larger than server.max_body_bytes"), status: .contentTooLarge)
        case .missingBoundary:
            return .failure(.badRequest("multipart/form-data needs a boundary"), status: .badRequest)
        case .malformedMultipart(let reason):
            return .failure(.badRequest("malformed multipart body: \(reason)"), status: .badRequest)
        case .twoFileParts:
            return .failure(.badRequest("a form may carry one file part"), status: .badRequest)
        case .stagingFailed(let error), .fileRefused(let error):
            // OneBot passes no admission check, so only a staging failure reaches here; both read the same.
            return .envelope(.failed(OneBotError(error, action: action), echo: nil))
        case .fileTooLarge:
            // OneBot gives no limit of its own (`maxBytes`); were it to, the store's FILE_TOO_LARGE says it.
            return .envelope(.failed(OneBotError(TrefoilError.fileTooLarge, action: action), echo: nil))
        }
    }
}
