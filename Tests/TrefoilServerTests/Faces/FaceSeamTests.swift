import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OneBotV11
import Testing
import TrefoilConfiguration
import TrefoilCore
import TrefoilServer
import TrefoilTestSupport

/// A face plugs in through the seam alone: its config section, its routes under its prefix behind its own
/// authentication, the shared upload service and its own download URLs served by the shared pipeline. `TestFace`
/// is that face, built as the Easemob and Qiniu faces will be.
@Suite("Face seam", .timeLimit(.minutes(3)), .stopsLiveServers)
struct FaceSeamTests {
    static let oneBotToken = "onebot-token"
    static let faceToken = "face-token"
    static let faceHeader: HTTPFields = [TestFaceAuth.header: faceToken]

    /// The face's token header and `extra`.
    static func faceHeader(_ extra: HTTPFields) -> HTTPFields {
        var fields = faceHeader
        fields.append(contentsOf: extra)
        return fields
    }

    /// A server with OneBot 11 and the test face, both enabled, each with its own token; the test face's settings
    /// are read from its section as a config file gives it.
    static func start(configure: (inout TrefoilConfig) -> Void = { _ in }) async throws -> LiveServer {
        let section = try FaceConfigTests.text.load(#"{"testface": {"enable": true, "token": "\#(faceToken)"}}"#)
        return try await LiveServer.start(token: oneBotToken, faces: [OneBot11Face.self, TestFace.self]) { config in
            config.testface = section.config.testface
            configure(&config)
        }
    }

    static func bytes(_ response: TestClient.Response) -> [UInt8] {
        response.body.map { Array($0.readableBytesView) } ?? []
    }

    static func text(_ response: TestClient.Response) -> String {
        String(decoding: bytes(response), as: UTF8.self)
    }

    static func uploaded(_ response: TestClient.Response) throws -> TestFaceUpload {
        try JSONDecoder().decode(TestFaceUpload.self, from: Data(bytes(response)))
    }

    @Test(
        "a face's routes live under its prefix behind its own token, which opens nothing of OneBot's and is not opened by OneBot's"
    )
    func ownAuthentication() async throws {
        let server = try await Self.start()
        let none = try await server.request("/testface/ping")
        #expect(none.status == .unauthorized)
        #expect(none.headers[.contentType] == "application/json")
        #expect(Self.text(none) == #"{"error":"unauthorized"}"#)
        let oneBotCredentials = try await server.request(
            "/testface/ping?access_token=\(Self.oneBotToken)", headers: [.authorization: "Bearer \(Self.oneBotToken)"])
        #expect(oneBotCredentials.status == .unauthorized)
        #expect(Self.text(oneBotCredentials) == #"{"error":"unauthorized"}"#)
        let own = try await server.request("/testface/ping", headers: Self.faceHeader)
        #expect(own.status == .ok)
        #expect(Self.text(own) == #"{"ok":true}"#)

        let faceHeaderOnly = try await server.request("/get_status", method: .post, headers: Self.faceHeader)
        #expect(faceHeaderOnly.status == .unauthorized)
        #expect(try Envelope(faceHeaderOnly.body ?? ByteBuffer()).retcode == 1401)
        let faceTokenAsBearer = try await server.request(
            "/get_status", method: .post, headers: [.authorization: "Bearer \(Self.faceToken)"])
        #expect(faceTokenAsBearer.status == .forbidden)
        #expect(try Envelope(faceTokenAsBearer.body ?? ByteBuffer()).retcode == 1403)
        #expect(try await server.call("get_status").isOK)
        await server.stop()
        server.removeFiles()
    }

    @Test("raw and multipart bodies stream into the one store through the shared upload service")
    func uploadsThroughTheSharedService() async throws {
        let server = try await Self.start { $0.server.maxBodyBytes = 1 << 20 }
        let rawBytes = pseudoRandomBytes(300_000, seed: 7)
        let raw = try await server.request(
            "/testface/raw/31?name=raw.bin", method: .post,
            headers: Self.faceHeader([.contentType: "application/octet-stream"]),
            body: ByteBuffer(bytes: rawBytes))
        #expect(raw.status == .ok, "\(Self.text(raw))")
        let rawFile = try Self.uploaded(raw)
        #expect(rawFile.name == "raw.bin")
        #expect(rawFile.size == Int64(rawBytes.count))
        #expect(rawFile.sha256 == sha256Hex(rawBytes))

        let formBytes = pseudoRandomBytes(200_000, seed: 8)
        let boundary = "----face-seam-boundary"
        let form = try await server.request(
            "/testface/form/31", method: .post,
            headers: Self.faceHeader([.contentType: "multipart/form-data; boundary=\(boundary)"]),
            body: multipartBody(
                [
                    ("note", "before the file", nil),
                    ("file", nil, (name: #"C:\\Users\\me\\photo.bin"#, bytes: formBytes)),
                    ("tag", "after the file", nil),
                ], boundary: boundary))
        #expect(form.status == .ok, "\(Self.text(form))")
        let formFile = try Self.uploaded(form)
        #expect(formFile.name == "photo.bin")
        #expect(formFile.sha256 == sha256Hex(formBytes))
        #expect(formFile.fields == ["note": "before the file", "tag": "after the file"])

        // One store: OneBot lists what the face stored.
        let listing = try await HTTPCaller(server: server).ok("get_group_root_files", ["group_id": 31])
        let names = listing["files"]?.arrayValue?.compactMap { $0["file_name"]?.stringValue }
        #expect(names.map(Set.init) == ["raw.bin", "photo.bin"])

        // Refusals come in the face's format and keep nothing.
        let tooLarge = try await server.request(
            "/testface/raw/31?name=big.bin", method: .post,
            headers: Self.faceHeader([.contentType: "application/octet-stream"]),
            body: ByteBuffer(bytes: pseudoRandomBytes((1 << 20) + 1)))
        #expect(tooLarge.status == .contentTooLarge)
        #expect(Self.text(tooLarge) == #"{"error":"too_large"}"#)
        let broken = try await server.request(
            "/testface/form/31", method: .post,
            headers: Self.faceHeader([.contentType: "multipart/form-data; boundary=\(boundary)"]),
            body: ByteBuffer(
                string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\nno end"))
        #expect(broken.status == .badRequest)
        #expect(Self.text(broken) == #"{"error":"bad_form"}"#)
        let after = try await HTTPCaller(server: server).ok("get_group_file_system_info", ["group_id": 31])
        #expect(after["file_count"] == 2)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: server.dataDir + "/tmp")) == [])
        #expect(try await server.gateway.tree.checkConsistency(repair: false).isClean)
        await server.stop()
        server.removeFiles()
    }

    @Test(
        "a face's own download URL is served by the shared pipeline: whole, Range, HEAD, counted; refusals in the face's format"
    )
    func ownDownloadURL() async throws {
        let server = try await Self.start()
        let bytes = pseudoRandomBytes(5000, seed: 9)
        let upload = try await server.request(
            "/testface/raw/32?name=d.txt", method: .post, headers: Self.faceHeader, body: ByteBuffer(bytes: bytes))
        let file = try Self.uploaded(upload)
        let url = "/testface/blobs/\(file.id)"

        let whole = try await server.request(url, headers: Self.faceHeader)
        #expect(whole.status == .ok)
        #expect(Self.bytes(whole) == bytes)
        #expect(whole.headers[.eTag] == "\"\(sha256Hex(bytes))\"")
        #expect(whole.headers[.contentType] == "text/plain; charset=utf-8")
        #expect(whole.headers[.contentDisposition] == "attachment; filename=\"d.txt\"; filename*=UTF-8''d.txt")
        let part = try await server.request(url, headers: Self.faceHeader([.range: "bytes=100-199"]))
        #expect(part.status == .partialContent)
        #expect(part.headers[.contentRange] == "bytes 100-199/5000")
        #expect(Self.bytes(part) == Array(bytes[100...199]))
        let head = try await server.request(url, method: .head, headers: Self.faceHeader)
        #expect(head.status == .ok)
        #expect(head.headers[.contentLength] == "5000")
        #expect(Self.bytes(head).isEmpty)
        try await server.gateway.tree.flushDownloadCounts()
        #expect(try await server.gateway.tree.file(FileID("/" + file.id)).downloadTimes == 1)

        let missing = try await server.request(
            "/testface/blobs/00000000-0000-0000-0000-000000000000", headers: Self.faceHeader)
        #expect(missing.status == .notFound)
        #expect(missing.headers[.contentType] == "application/json")
        #expect(Self.text(missing) == #"{"error":"not_found"}"#)
        let oneBotToken = try await server.request(url, headers: [.authorization: "Bearer \(Self.oneBotToken)"])
        #expect(oneBotToken.status == .unauthorized)
        #expect(Self.text(oneBotToken) == #"{"error":"unauthorized"}"#)
        await server.stop()
        server.removeFiles()
    }

    @Test("a face whose section does not enable it has no routes and no download URLs")
    func disabledFaceHasNoRoutes() async throws {
        let server = try await LiveServer.start(faces: [OneBot11Face.self, TestFace.self]) { config in
            config.testface.token = Self.faceToken
        }
        #expect(server.gateway.faces.map { type(of: $0).name } == ["onebot11"])
        let ping = try await server.request("/testface/ping", headers: Self.faceHeader)
        #expect(ping.status == .notFound)
        let upload = try await server.request(
            "/testface/raw/33?name=x", method: .post, headers: Self.faceHeader, body: ByteBuffer(bytes: [1, 2, 3]))
        #expect(upload.status == .notFound)
        let blob = try await server.request(
            "/testface/blobs/00000000-0000-0000-0000-000000000000", headers: Self.faceHeader)
        #expect(blob.status == .notFound)
        #expect(Self.text(blob) != #"{"error":"not_found"}"#)
        #expect(try await server.call("get_status").isOK)
        await server.stop()
        server.removeFiles()
    }

    @Test("onebot11.enable false takes OneBot's routes, links and WebSocket away and leaves the other faces")
    func oneBotCanBeSwitchedOff() async throws {
        let server = try await Self.start { $0.onebot11.enable = false }
        #expect(server.gateway.faces.map { type(of: $0).name } == ["testface"])
        let status = try await server.request(
            "/get_status", method: .post, headers: [.authorization: "Bearer \(Self.oneBotToken)"])
        #expect(status.status == .notFound)
        let link = try await server.request("/files/00000000-0000-0000-0000-000000000000/x?expires=1&sig=x")
        #expect(link.status == .notFound)
        #expect(Self.text(link) != "this link is forged or has expired; ask for a new one with get_group_file_url\n")
        let port = server.port
        let handshake = try await offCooperativePool {
            try RawWebSocket(port: port).upgrade("/?access_token=\(Self.oneBotToken)", ["Upgrade: websocket"]).status
        }
        #expect(handshake == 400)
        #expect(try await server.request("/testface/ping", headers: Self.faceHeader).status == .ok)
        await server.stop()
        server.removeFiles()
    }
}

/// A face's section is read by the config machinery like the core's keys.
@Suite("Face config sections")
struct FaceConfigTests {
    static let text = ConfigText(sections: [OneBot11Settings.self, TestFaceSettings.self])

    static func problems(_ json: String, environment: [String: String] = [:]) -> [String] {
        text.problems(json, environment: environment)
    }

    static func load(_ json: String, environment: [String: String] = [:]) throws(ConfigError) -> LoadedConfig {
        try text.load(json, environment: environment)
    }

    @Test("OneBot 11 is on and every other face off by default")
    func defaults() throws {
        let config = try Self.load("{}").config
        #expect(config.onebot11.enable)
        #expect(!config.testface.enable)
        #expect(try Self.load(#"{"testface": {"enable": true, "token": "t"}}"#).config.testface.enable)
        #expect(!(try Self.load(#"{"onebot11": {"enable": false}}"#).config.onebot11.enable))
    }

    @Test("a bad value in a face's section is one line naming its key")
    func badValueIsOneLine() {
        #expect(
            Self.problems(#"{"testface": {"enable": true, "token": "t", "max_note_bytes": 0}}"#) == [
                "config.json: testface.max_note_bytes: 0 is out of range (allowed: 1 to 1024)"
            ])
        #expect(
            Self.problems(#"{"testface": {"tokn": "t"}, "onebot11": {"enable": "yes"}}"#) == [
                #"config.json: testface.tokn: unknown key (did you mean "token"?)"#,
                #"config.json: onebot11.enable: expected a boolean (true or false), got string "yes""#,
            ])
        #expect(
            Self.problems(#"{"testface": {"token": 12345678}}"#) == [
                "config.json: testface.token: expected a string, got a number"
            ])
    }

    @Test("a section's own check names the key an enabled face cannot run without, once every key passed its rule")
    func sectionCheck() {
        #expect(
            Self.problems(#"{"testface": {"enable": true}}"#) == [
                "config.json: testface.token: must be set when testface.enable is true"
            ])
        #expect(
            Self.problems(#"{"testface": {"enable": true, "token": 5}}"#) == [
                "config.json: testface.token: expected a string, got a number"
            ])
        #expect(Self.problems(#"{"testface": {"enable": false}}"#) == [])
        do {
            _ = try ConfigLoader.load(
                path: nil, environment: ["TREFOIL_TESTFACE_ENABLE": "true"], sections: Self.text.sections)
            Issue.record("an enabled test face without a token loaded")
        } catch {
            #expect(
                error.problems.map(\.description) == [
                    "environment: TREFOIL_TESTFACE_TOKEN: must be set when testface.enable is true"
                ])
        }
    }

    @Test("a section the executable did not declare is an unknown key")
    func undeclaredSectionIsUnknown() {
        let problems = ConfigText(sections: [OneBot11Settings.self]).problems(#"{"testface": {}}"#)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("config.json: testface: unknown key (allowed keys: server, storage,") == true)
    }

    @Test("a face's keys have TREFOIL_ variables, with suggestions for near misses")
    func environment() throws {
        let loaded = try Self.load(
            "{}",
            environment: [
                "TREFOIL_TESTFACE_ENABLE": "1", "TREFOIL_TESTFACE_TOKEN": "from-env", "TREFOIL_TESTFACE_TOKN": "x",
                "TREFOIL_ONEBOT11_ENABLE": "false",
            ])
        #expect(loaded.config.testface == TestFaceSettings(enable: true, token: "from-env", maxNoteBytes: 64))
        #expect(!loaded.config.onebot11.enable)
        #expect(
            loaded.warnings == [
                "TREFOIL_TESTFACE_TOKN names no config key; ignored (did you mean TREFOIL_TESTFACE_TOKEN?)"
            ])
        #expect(
            Self.problems("{}", environment: ["TREFOIL_TESTFACE_MAX_NOTE_BYTES": "2000"]) == [
                "environment: TREFOIL_TESTFACE_MAX_NOTE_BYTES: 2000 is out of range (allowed: 1 to 1024)"
            ])
    }

    @Test("a face's section is in the summary, its secret only as set or not set")
    func summary() throws {
        let summary = try Self.load(#"{"testface": {"enable": true, "token": "hunter2"}}"#).config.redactedSummary
        #expect(
            summary.hasSuffix(
                " onebot11.enable=true testface.enable=true testface.token=set testface.max_note_bytes=64"))
        #expect(!summary.contains("hunter2"))
    }
}
