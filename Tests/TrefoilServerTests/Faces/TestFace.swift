import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import TrefoilConfiguration
import TrefoilCore
import TrefoilFaceKit

/// The test face's config section, `"testface": {"enable": …, "token": …, "max_note_bytes": …}`; off by default.
struct TestFaceSettings: ConfigSectionSettings {
    var enable = false
    /// What clients send as `X-Test-Token`.
    var token = ""
    /// The longest `note` field a form may carry.
    var maxNoteBytes = 64

    static var section: ConfigSection<TestFaceSettings> {
        ConfigSection(
            name: "testface",
            fields: [
                .string("token", \.token, .nonBlank(allowed: "the X-Test-Token clients send"), secret: true),
                .integer("max_note_bytes", \.maxNoteBytes, .between(1, 1024)),
            ],
            summary: { settings in
                [("token", ConfigRedaction.presence(settings.token)), ("max_note_bytes", "\(settings.maxNoteBytes)")]
            },
            check: { settings in
                settings.token.isEmpty ? [("token", "must be set when testface.enable is true")] : []
            })
    }
}

extension TrefoilConfig {
    var testface: TestFaceSettings {
        get { self[TestFaceSettings.self] }
        set { self[TestFaceSettings.self] = newValue }
    }
}

/// A face of the tests' own, built only on the seam, the core and Hummingbird, as the Easemob and Qiniu faces will be:
/// routes under `/testface` and `/alias/testface` behind an `X-Test-Token` header, raw (`POST …/raw/<group>?name=`)
/// and multipart (`POST …/form/<group>`) uploads through the shared upload service (`?max=` gives the call a file
/// limit), downloads at its own URL shape (`GET|HEAD …/blobs/<uuid>`, same header; `?preview=1` serves a blob
/// derived from the file: its bytes reversed) through the shared pipeline, and a WebSocket at `…/ws` that says which
/// path it was opened on. Errors are `{"error": "<code>"}`.
struct TestFace: Face {
    typealias Settings = TestFaceSettings

    let settings: TestFaceSettings
    let context: FaceContext

    init(settings: TestFaceSettings, context: FaceContext) {
        self.settings = settings
        self.context = context
    }

    var prefix: String { "/testface" }

    var prefixes: [String] { [prefix, "/alias/testface"] }

    func routes() -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        let guarded = routes.group().add(middleware: TestFaceAuth(token: settings.token))
        guarded.get("/ping") { _, _ in Self.json(#"{"ok":true}"#) }
        // A handshake with the token is upgraded before it gets here; one without it is answered here.
        guarded.get("/ws") { _, _ in Self.error("not_a_handshake", .badRequest) }
        guarded.post("/raw/:group") { request, context in
            guard let group = context.parameters.get("group") else {
                return Self.error("bad_group", .badRequest)
            }
            let upload: RawUpload
            do throws(UploadError) {
                upload = try await self.context.uploads.receiveRaw(request, maxBytes: Self.maxBytes(request))
            } catch {
                return Self.error(error)
            }
            let name = request.uri.queryParameters["name"].map(String.init) ?? upload.suggestedName ?? "unnamed"
            return await commit(upload.staged, name: name, group: group, fields: [:])
        }
        guarded.post("/form/:group") { request, context in
            guard let group = context.parameters.get("group") else {
                return Self.error("bad_group", .badRequest)
            }
            let form: MultipartUpload
            do throws(UploadError) {
                form = try await self.context.uploads.receiveMultipart(request, maxBytes: Self.maxBytes(request))
            } catch {
                return Self.error(error)
            }
            guard let file = form.file else { return Self.error("no_file", .badRequest) }
            guard (form.fields["note"]?.utf8.count ?? 0) <= settings.maxNoteBytes else {
                self.context.store.discard(file.staged)
                return Self.error("note_too_long", .badRequest)
            }
            return await commit(file.staged, name: file.fileName ?? "unnamed", group: group, fields: form.fields)
        }
        return routes
    }

    var downloadRoutes: [any DownloadRoute] {
        [TestFaceBlobs(store: context.store, token: settings.token, prefixes: prefixes)]
    }

    func webSocketUpgrade(_ request: HTTPRequest, peer: SocketAddress?) -> WebSocketUpgradeDecision {
        let path = String((request.path ?? "").split(separator: "?", maxSplits: 1).first ?? "")
        guard prefixes.contains(where: { path == $0 + "/ws" }) else { return .notHere }
        guard request.headerFields[TestFaceAuth.header] == settings.token else { return .refused }
        return .upgrade { _, outbound in try await outbound.write(.text("testface at \(path)")) }
    }

    /// The `max` query parameter: the call's own limit on the file.
    static func maxBytes(_ request: Request) -> Int64? {
        request.uri.queryParameters["max"].flatMap { Int64(String($0)) }
    }

    private func commit(_ staged: StagedUpload, name: String, group: String, fields: [String: String]) async
        -> Response
    {
        do {
            let file = try await context.store.commit(
                staged, name: name, to: .group(group), by: Member(id: "testface", name: "testface"))
            let answer = TestFaceUpload(
                id: String(file.id.rawValue.dropFirst()), name: file.name, size: file.size,
                sha256: file.digests.sha256, fields: fields)
            return Self.json(String(decoding: try JSONEncoder().encode(answer), as: UTF8.self))
        } catch {
            context.store.discard(staged)
            return Self.error("not_stored", .internalServerError)
        }
    }

    static func json(_ text: String, _ status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func error(_ code: String, _ status: HTTPResponse.Status) -> Response {
        json(#"{"error":"\#(code)"}"#, status)
    }

    static func error(_ failure: UploadError) -> Response {
        switch failure {
        case .bodyTooLarge: error("too_large", .contentTooLarge)
        case .fileTooLarge(let limit): json(#"{"error":"file_too_large","limit":\#(limit)}"#, .contentTooLarge)
        case .missingBoundary, .malformedMultipart, .twoFileParts: error("bad_form", .badRequest)
        case .stagingFailed: error("not_stored", .internalServerError)
        case .fileRefused: error("refused", .forbidden)
        }
    }
}

/// What the test face answers to an upload.
struct TestFaceUpload: Codable, Equatable {
    let id: String
    let name: String
    let size: Int64
    let sha256: String
    let fields: [String: String]
}

/// The test face's authentication: `X-Test-Token` must be its token; OneBot's credentials mean nothing here.
struct TestFaceAuth: RouterMiddleware {
    typealias Context = BasicRequestContext

    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard request.headers[TestFaceAuth.header] == token else {
            return TestFace.error("unauthorized", .unauthorized)
        }
        return try await next(request, context)
    }

    static let header = HTTPField.Name("X-Test-Token")!
}

/// `GET|HEAD <prefix>/blobs/<uuid>` with the face's token: a stored file served by the shared pipeline, or with
/// `?preview=1` a blob derived from it (its bytes reversed, made once), or a refusal in the face's JSON.
struct TestFaceBlobs: DownloadRoute {
    let store: FileTree
    let token: String
    let prefixes: [String]

    static let previewVariant = "testface-reversed"
    static let previewType = "application/x-testface-reversed"

    /// The file id in `path`, if it is a blob URL under one of the prefixes.
    func id(in path: Substring) -> Substring? {
        for prefix in prefixes where path.hasPrefix(prefix + "/blobs/") {
            let id = path.dropFirst(prefix.count + "/blobs/".count)
            if id.allSatisfy({ $0 != "/" }) { return id }
        }
        return nil
    }

    func matches(path: Substring) -> Bool { id(in: path) != nil }

    func resolve(_ request: DownloadRequest) async -> DownloadResolution {
        guard request.headers[TestFaceAuth.header] == token else {
            return .refused(Self.refusal("unauthorized", .unauthorized))
        }
        guard let id = id(in: Substring(request.path)), let file = try? await store.file(FileID("/" + id)) else {
            return .refused(Self.refusal("not_found", .notFound))
        }
        guard request.queryItems["preview"] == "1" else { return .file(file) }
        do {
            let blob = try await store.derive(from: file, variant: Self.previewVariant) { source, output in
                let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
                try Data(bytes.reversed()).write(to: URL(fileURLWithPath: output))
                return Self.previewType
            }
            return .derived(DerivedDownload(blob: blob, name: "reversed " + file.name))
        } catch {
            return .refused(Self.refusal("not_derived", .internalServerError))
        }
    }

    static func refusal(_ code: String, _ status: HTTPResponse.Status) -> DownloadRefusal {
        DownloadRefusal(
            status: status, headers: [.contentType: "application/json"], body: Array(#"{"error":"\#(code)"}"#.utf8))
    }
}
