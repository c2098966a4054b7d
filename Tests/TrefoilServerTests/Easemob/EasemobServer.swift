import EasemobFace
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TrefoilConfiguration
import TrefoilFaceKit
import TrefoilJSON
import TrefoilTestSupport

@testable import TrefoilServer

/// A live server with the Easemob face on (`acme#chat`, Agora App ID `a1b2c3`) beside OneBot 11, and what the tests
/// send it.
struct EasemobServer: Sendable {
    static let org = "acme"
    static let app = "chat"
    static let appID = "a1b2c3"
    static let clientID = "YXA6client"
    static let clientSecret = "YXA6secret"

    let server: LiveServer
    /// The store's clock, which tests move.
    let clock: TestClock

    var port: Int { server.port }
    /// `http://127.0.0.1:<port>/acme/chat`
    var base: String { "\(server.base)/\(Self.org)/\(Self.app)" }
    /// `http://127.0.0.1:<port>/app-id/a1b2c3`
    var agoraBase: String { "\(server.base)/app-id/\(Self.appID)" }
    var basePath: String { "/\(Self.org)/\(Self.app)" }

    static func start(
        root: String? = nil, oneBotToken: String = "", clock: TestClock = TestClock(),
        configure: (inout TrefoilConfig) -> Void = { _ in }
    ) async throws -> EasemobServer {
        let server = try await LiveServer.start(
            root: root, token: oneBotToken, faces: [OneBot11Face.self, EasemobFace.self], clock: clock
        ) { config in
            config.easemob.enable = true
            config.easemob.orgName = org
            config.easemob.appName = app
            config.easemob.appID = appID
            config.easemob.clientID = clientID
            config.easemob.clientSecret = clientSecret
            configure(&config)
        }
        return EasemobServer(server: server, clock: clock)
    }

    func stop() async { await server.stop() }

    /// A fresh app token (`POST /token`).
    func token(ttl: Int64? = nil) async throws -> String {
        var body: [String: JSONValue] = [
            "grant_type": "client_credentials", "client_id": .string(Self.clientID),
            "client_secret": .string(Self.clientSecret),
        ]
        if let ttl { body["ttl"] = .int(ttl) }
        let answer = try await send("/token", method: .post, json: .object(body), token: nil)
        #expect(answer.status == .ok, "\(answer.text)")
        return try #require(answer.json["access_token"]?.stringValue)
    }

    /// Sends a request under `/acme/chat` (or a full path starting with `/app-id/`).
    func send(
        _ path: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:], json: JSONValue? = nil,
        body: [UInt8]? = nil, token: String?
    ) async throws -> EasemobAnswer {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        var payload = body
        if let json {
            headers[.contentType] = headers[.contentType] ?? "application/json"
            payload = Array(json.encoded())
        }
        let target = path.hasPrefix("/app-id/") ? path : basePath + path
        let response = try await server.request(
            target, method: method, headers: headers, body: payload.map { ByteBuffer(bytes: $0) })
        return EasemobAnswer(
            status: response.status, headers: response.headers,
            bytes: response.body.map { Array($0.readableBytesView) } ?? [])
    }

    /// Uploads `bytes` as the multipart `file` part named `name` to `path` (`/chatfiles` or a share-files path).
    func upload(
        _ path: String, name: String, bytes: [UInt8], headers: HTTPFields = [:], fields: [String: String] = [:],
        token: String?
    ) async throws -> EasemobAnswer {
        let boundary = "easemob-test-boundary"
        var body: [UInt8] = []
        for (field, value) in fields.sorted(by: { $0.key < $1.key }) {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                .utf8)
        body += bytes
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        var headers = headers
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return try await send(path, method: .post, headers: headers, body: body, token: token)
    }

    /// Runs a curl command from the Easemob documents, its placeholders replaced: the host, org, app and App ID
    /// (`XXXX`, in that order of appearance in the URL) and `<YourAppToken>`/`<YourToken>`. Adds only `-sS` and a
    /// status line after the body; returns the status and the body.
    func curl(_ command: String) async throws -> (status: Int, body: String) {
        let run = try await e2eRun(
            "/bin/sh", ["-c", command + " -sS -w '\\n%{http_code}'"], environment: e2eCleanEnvironment(),
            timeout: .seconds(60))
        #expect(run.status == 0, "curl failed: \(run.errors)")
        let lines = run.output.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        return (status, lines.dropLast().joined(separator: "\n"))
    }

    /// Whether the store's backend holds the blob (a file under `blobs/`, or an object in the run's bucket).
    func isStored(_ sha256: String) async throws -> Bool {
        try await server.gateway.tree.blobBackend.storedSize(sha256) != nil
    }
}

/// An answer of the face: its status, headers and body, with the body read as JSON where it is.
struct EasemobAnswer: Sendable, CustomStringConvertible {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let bytes: [UInt8]

    var text: String { String(decoding: bytes, as: UTF8.self) }
    var json: JSONValue { JSONParser.parse(bytes) ?? .null }
    var description: String { "\(status.code) \(text)" }

    /// The members of an object answer, by name.
    var keys: Set<String> {
        if case .object(let members) = json { return Set(members.keys) }
        return []
    }

    /// Checks this is the service's error body with exactly `status` and `type`; returns its description.
    @discardableResult
    func expectError(
        _ status: HTTPResponse.Status, _ type: String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> String {
        #expect(self.status == status, "\(self)", sourceLocation: sourceLocation)
        #expect(json["error"]?.stringValue == type, "\(self)", sourceLocation: sourceLocation)
        #expect(
            keys == ["error", "exception", "timestamp", "duration", "error_description"], "\(self)",
            sourceLocation: sourceLocation)
        #expect(headers[.contentType] == "application/json", sourceLocation: sourceLocation)
        return json["error_description"]?.stringValue ?? ""
    }
}

extension HTTPField.Name {
    static let shareSecret = Self("share-secret")!
    static let restrictAccess = Self("restrict-access")!
    static let thumbnail = Self("thumbnail")!
    static let thumbnailWidth = Self("thumbnail-width")!
    static let thumbnailHeight = Self("thumbnail-height")!
}
