import HTTPTypes
import Hummingbird
import OneBotV11
import TrefoilCore
import TrefoilFaceKit
import TrefoilMetrics

/// The OneBot upload actions' bodies that carry the file itself, staged by the shared `UploadService`: a
/// `multipart/form-data` form whose `file` part is the content, or a raw body (`PUT`, or `POST` with
/// `application/octet-stream`) with the params in the query. Failures answer in OneBot's envelope.
struct UploadReceiver: Sendable {
    let table: ActionTable
    let uploads: UploadService

    /// A raw body is the file; `name` comes from the query or a Content-Disposition header.
    func raw(_ request: Request, action: String, query: Params) async -> Response {
        let start = ContinuousClock.now
        if let refused = await table.precheckUpload(action, params: query) {
            return answered(refused, action: action, since: start)
        }
        let upload: RawUpload
        do throws(UploadError) {
            upload = try await uploads.receiveRaw(request)
        } catch {
            return answered(Self.refusal(error, action: action), action: action, since: start)
        }
        let response = await table.commitUpload(
            action, params: query, staged: upload.staged, suggestedName: upload.suggestedName, source: .raw)
        return answered(response, action: action, since: start)
    }

    /// A multipart form: the `file` part streams to storage while the other fields are collected; fields may come
    /// before or after the file.
    func multipart(_ request: Request, action: String, query: Params) async -> Response {
        let start = ContinuousClock.now
        let form: MultipartUpload
        do throws(UploadError) {
            form = try await uploads.receiveMultipart(request)
        } catch {
            return answered(Self.refusal(error, action: action), action: action, since: start)
        }
        let params = Params(strings: form.fields).merging(under: query)
        guard let file = form.file else {
            // No file part: the form carries params only (for example a `file` URL or base64); the table counts it.
            return .envelope(await table.respond(to: ActionRequest(action: action, params: params)))
        }
        let response = await table.commitUpload(
            action, params: params, staged: file.staged, suggestedName: file.fileName, source: .multipart)
        return answered(response, action: action, since: start)
    }

    /// The answer to an upload whose body the transport read, counted as one call of `action`.
    private func answered(
        _ answer: (response: ActionResponse, status: HTTPResponse.Status), action: String,
        since start: ContinuousClock.Instant
    ) -> Response {
        table.record(action, answer.response, since: start)
        return .envelope(answer.response, status: answer.status)
    }

    private func answered(_ response: ActionResponse, action: String, since start: ContinuousClock.Instant)
        -> Response
    {
        answered((response, .ok), action: action, since: start)
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
        let (response, status) = refusal(error, action: action)
        return .envelope(response, status: status)
    }

    /// The envelope and status that refuse a body that could not be staged.
    static func refusal(_ error: UploadError, action: String) -> (response: ActionResponse, status: HTTPResponse.Status)
    {
        switch error {
        case .bodyTooLarge:
            return (.failed(.badRequest("the body is larger than server.max_body_bytes"), echo: nil), .contentTooLarge)
        case .missingBoundary:
            return (.failed(.badRequest("multipart/form-data needs a boundary"), echo: nil), .badRequest)
        case .malformedMultipart(let reason):
            return (.failed(.badRequest("malformed multipart body: \(reason)"), echo: nil), .badRequest)
        case .twoFileParts:
            return (.failed(.badRequest("a form may carry one file part"), echo: nil), .badRequest)
        case .stagingFailed(let error), .fileRefused(let error):
            // OneBot passes no admission check, so only a staging failure reaches here; both read the same.
            return (.failed(OneBotError(error, action: action), echo: nil), .ok)
        case .fileTooLarge:
            // OneBot gives no limit of its own (`maxBytes`); were it to, the store's FILE_TOO_LARGE says it.
            return (.failed(OneBotError(TrefoilError.fileTooLarge, action: action), echo: nil), .ok)
        }
    }
}
