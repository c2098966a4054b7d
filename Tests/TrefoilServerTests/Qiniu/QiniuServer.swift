import Foundation
import HTTPTypes
import NIOCore
import QiniuFace
import Testing
import TrefoilConfiguration
import TrefoilFaceKit
import TrefoilJSON
import TrefoilTestSupport

@testable import TrefoilServer

/// A live server with the Qiniu IM face on (app `dqiniutest`) beside OneBot 11, and the calls a client makes.
struct QiniuServer: Sendable {
    static let appID = "dqiniutest"
    static let secret = "qiniu-test-secret-of-at-least-thirty-two-bytes"
    static let adminToken = "qiniu-admin-token"

    let server: LiveServer
    let clock: TestClock
    var settings: QiniuSettings { server.config.qiniuIM }

    static func start(
        root: String? = nil, clock: TestClock = TestClock(), configure: (inout TrefoilConfig) -> Void = { _ in }
    ) async throws -> QiniuServer {
        let server = try await LiveServer.start(
            root: root, faces: [OneBot11Face.self, QiniuFace.self], clock: clock
        ) { config in
            config.qiniuIM.enable = true
            config.qiniuIM.appID = appID
            config.qiniuIM.jwtSecret = secret
            config.qiniuIM.adminTokens = [adminToken]
            configure(&config)
        }
        return QiniuServer(server: server, clock: clock)
    }

    func stop() async { await server.stop() }

    /// A user token, as the app's own server mints it.
    func token(user: Int64, ttl: Int64 = 3600) async throws -> String {
        try await QiniuUserTokens.mint(settings: settings, user: user, ttl: ttl, now: clock.read())
    }

    /// The headers of a call made with `token` (and an admin's `user_id`/`group_id`).
    static func headers(_ token: String, app: String = appID, extra: [String: String] = [:]) -> HTTPFields {
        var fields: HTTPFields = [HTTPField.Name("app_id")!: app, HTTPField.Name("access-token")!: token]
        for (name, value) in extra { fields[HTTPField.Name(name)!] = value }
        return fields
    }

    /// `GET path` with `headers`; the answer.
    func get(_ target: String, headers: HTTPFields = [:]) async throws -> QiniuAnswer {
        try await send(target, method: .get, headers: headers, body: nil)
    }

    func send(_ target: String, method: HTTPRequest.Method, headers: HTTPFields, body: [UInt8]?) async throws
        -> QiniuAnswer
    {
        let path = target.hasPrefix("http") ? String(target.dropFirst(server.base.count)) : target
        let response = try await server.request(
            path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
        return QiniuAnswer(
            status: response.status, headers: response.headers,
            bytes: response.body.map { Array($0.readableBytesView) } ?? [])
    }

    /// A ticket from `path` (such as `/file/upload/chat?file_type=100&to_id=2&to_type=1`).
    func ticket(_ path: String, token: String, extra: [String: String] = [:]) async throws -> Ticket {
        let answer = try await get(path, headers: Self.headers(token, extra: extra))
        #expect(answer.status == .ok, "\(answer)")
        #expect(answer.json["code"]?.intValue == 200 && answer.json["message"] == .null)
        let data = answer.json["data"] ?? .null
        var fields: [String: String] = [:]
        if case .object(let members)? = data["oss_body_param"] {
            for (name, value) in members { fields[name] = value.stringValue }
        }
        return Ticket(
            uploadURL: try #require(data["upload_url"]?.stringValue),
            method: try #require(data["upload_method"]?.stringValue), fields: fields,
            downloadURL: try #require(data["download_url"]?.stringValue))
    }

    /// What a real client does with a ticket: a multipart POST of the `oss_body_param` fields, in order, then the
    /// `file` part last; or the raw body to a PUT ticket's URL.
    func upload(_ ticket: Ticket, bytes: [UInt8], name: String = "clip.bin") async throws -> QiniuAnswer {
        if ticket.method == "PUT" {
            return try await send(ticket.uploadURL, method: .put, headers: [:], body: bytes)
        }
        let boundary = "----qiniu-test-boundary"
        var body: [UInt8] = []
        for (field, value) in ticket.fields.sorted(by: { $0.key < $1.key }) {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                .utf8)
        body += bytes
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        return try await send(
            ticket.uploadURL, method: .post,
            headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: body)
    }
}

/// An upload ticket as the client reads it.
struct Ticket: Sendable {
    var uploadURL: String
    var method: String
    var fields: [String: String]
    var downloadURL: String
}

/// An answer of the face.
struct QiniuAnswer: Sendable, CustomStringConvertible {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let bytes: [UInt8]

    var json: JSONValue { JSONParser.parse(bytes) ?? .null }
    var description: String { "\(status.code) \(String(decoding: bytes.prefix(400), as: UTF8.self))" }

    /// Checks this is a failure with `status` and the same `code`; returns its message.
    @discardableResult
    func expectFailure(_ status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(self.status == status, "\(self)", sourceLocation: sourceLocation)
        #expect(json["code"]?.intValue == Int64(status.code), "\(self)", sourceLocation: sourceLocation)
        #expect(json["data"] == .null, sourceLocation: sourceLocation)
        return json["message"]?.stringValue ?? ""
    }
}
