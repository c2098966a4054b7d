import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import OneBotV11
import TrefoilFaceKit
import TrefoilJSON

/// The HTTP API (docs/onebot11.md §1.2): `GET|POST /:action`, `POST /` with a whole envelope, and upload
/// bodies streamed to storage.
///
/// Only upload bodies that carry the file itself stream (up to `server.max_body_bytes`). Every other body is read
/// into memory and parsed, so it has a small bound of its own: `server.max_request_bytes` for the params of an
/// action. A whole envelope (`POST /`) and the params of an upload (which may carry the file as `base64://`) are the
/// same call a WebSocket text frame carries, so they have the WebSocket's bound, `server.ws_max_message_bytes`.
struct APIRoutes: Sendable {
    let table: ActionTable
    let uploads: UploadReceiver
    /// The bound of an action's params body.
    let paramsLimit: BodyLimit
    /// The bound of a whole call held in memory: an envelope, or an upload's params.
    let callLimit: BodyLimit
    let stats: TransportStats
    /// The access token check on every route.
    let auth: AuthMiddleware

    func register(on routes: some RouterMethods<BasicRequestContext>) {
        let api = routes.group().add(middleware: auth)
        api.post("/") { request, _ in await envelope(request) }
        // `/`, `/api` and `/event` are WebSocket endpoints; a plain GET (or a handshake refused for its
        // token, which arrives here without its Upgrade header) gets the auth verdict or this.
        api.get("/") { _, _ in
            Response.failure(
                .badRequest("this is the WebSocket endpoint; call /<action> for the HTTP API"), status: .badRequest)
        }
        for method in [HTTPRequest.Method.get, .post, .put] {
            api.on("/:action", method: method) { request, context in
                await action(request, name: context.parameters.get("action") ?? "")
            }
        }
    }

    /// `POST /` with `{"action", "params", "echo"}`.
    private func envelope(_ request: Request) async -> Response {
        stats.requestsReceived.add(1, ordering: .relaxed)
        let body: ByteBuffer
        switch await callLimit.collect(request) {
        case .success(let collected): body = collected
        case .failure(let refused): return refused.response
        }
        switch ActionRequest.decode(Data(buffer: body)) {
        case .failure(let failed):
            return .envelope(.failed(failed.error, echo: failed.echo), status: .badRequest)
        case .success(let call):
            let query = Params(strings: queryParameters(request))
            let merged = ActionRequest(action: call.action, params: call.params.merging(under: query), echo: call.echo)
            if table.isStreamed(call.action) { return streamed(merged) }
            let response = await table.respond(to: merged)
            return .envelope(response, status: response.retcode == 1404 ? .notFound : .ok)
        }
    }

    /// `/:action` with params from the query and the body.
    private func action(_ request: Request, name: String) async -> Response {
        stats.requestsReceived.add(1, ordering: .relaxed)
        guard table.route(name) != nil else {
            let refused = ActionResponse.failed(.apiNotFound(name), echo: nil)
            table.record(name, refused, since: .now)
            return .envelope(refused, status: .notFound)
        }
        let query = Params(strings: queryParameters(request))
        let contentType = request.headers[.contentType].map(ContentType.init) ?? nil
        if table.isUpload(name) {
            if let contentType, contentType.isMultipartForm {
                return await uploads.multipart(request, action: name, query: query)
            }
            if request.method == .put || contentType?.isOctetStream == true {
                return await uploads.raw(request, action: name, query: query)
            }
        }
        let params: Params
        let limit = table.carriesFileBytes(name) ? callLimit : paramsLimit
        switch await bodyParams(request, contentType: contentType, limit: limit) {
        case .params(let body): params = body.merging(under: query)
        case .refused(let response): return response
        }
        let call = ActionRequest(action: name, params: params)
        if table.isStreamed(name) { return streamed(call) }
        let response = await table.respond(to: call)
        return .envelope(response)
    }

    /// A stream action's answer (NapCat's `download_file_stream`): every envelope as it is made, each followed by a
    /// blank line (`\r\n\r\n`), as NapCat's HTTP server writes them.
    private func streamed(_ call: ActionRequest) -> Response {
        let table = self.table
        let separator = Array("\r\n\r\n".utf8)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody { writer in
                let last = await table.respond(to: call) { envelope in
                    do {
                        try await writer.write(ByteBuffer(bytes: envelope.encodedBytes() + separator))
                        return true
                    } catch {
                        return false
                    }
                }
                try await writer.write(ByteBuffer(bytes: last.encodedBytes() + separator))
                try await writer.finish(nil)
            })
    }

    /// Params carried by a JSON, form or (small) multipart body, or the response refusing the body.
    private func bodyParams(_ request: Request, contentType: ContentType?, limit: BodyLimit) async -> BodyParams {
        let body: ByteBuffer
        switch await limit.collect(request) {
        case .success(let collected): body = collected
        case .failure(let refused): return .refused(refused.response)
        }
        if body.readableBytes == 0 { return .params(Params()) }
        guard let contentType, !contentType.isJSON else {
            guard let value = JSONValue.parse(Array(buffer: body)) else {
                if contentType == nil {
                    return .refused(.failure(.badRequest("a body needs a Content-Type"), status: .notAcceptable))
                }
                return .refused(.failure(.badRequest("the body is not valid JSON"), status: .badRequest))
            }
            guard case .object(let members) = value else {
                return .refused(.failure(.badRequest("the JSON body must be an object"), status: .badRequest))
            }
            return .params(Params(members))
        }
        if contentType.isForm {
            guard let pairs = FormEncoding.decode(Substring(String(buffer: body))) else {
                return .refused(.failure(.badRequest("the form body is malformed"), status: .badRequest))
            }
            return .params(Params(strings: pairs))
        }
        if contentType.isMultipartForm {
            return UploadReceiver.fields(of: body, contentType: contentType)
        }
        return .refused(
            .failure(.badRequest("unsupported Content-Type \(contentType.description)"), status: .notAcceptable))
    }
}

/// How much of a body may be read into memory, and the config key that sets it.
struct BodyLimit: Sendable {
    let bytes: Int
    let key: String

    /// The answer to a body that cannot be read within the limit.
    struct Refusal: Error {
        let response: Response
    }

    /// Reads the whole body, or refuses it with 413 as soon as it is known to be over the limit: from its
    /// Content-Length before reading anything, else once the bytes read pass the limit. The rest is never held.
    func collect(_ request: Request) async -> Result<ByteBuffer, Refusal> {
        let tooLarge = Refusal(
            response: .failure(.badRequest("the body is larger than \(key) (\(bytes) bytes)"), status: .contentTooLarge)
        )
        if let length = request.headers[.contentLength].flatMap(Int.init), length > bytes {
            return .failure(tooLarge)
        }
        do {
            return .success(try await request.body.collect(upTo: bytes))
        } catch is NIOTooManyBytesError {
            return .failure(tooLarge)
        } catch {
            return .failure(Refusal(response: .failure(.badRequest("the body could not be read"), status: .badRequest)))
        }
    }
}

/// What a request body yields: params, or the response that refuses it.
enum BodyParams {
    case params(Params)
    case refused(Response)
}

func queryParameters(_ request: Request) -> [String: String] {
    FormEncoding.decode(Substring(request.uri.query ?? "")) ?? [:]
}
