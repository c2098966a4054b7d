import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TrefoilConfiguration

@testable import TrefoilConsole
@testable import TrefoilServer

/// Every console suite, one test at a time: each test starts a live server, and all of them at once beside the rest of
/// the run kept hundreds more descriptors open in the test process. (That once made Foundation's `Process.run` crash;
/// children are now started by `TestChild`, which does not list /proc/self/fd.)
@Suite("Console", .serialized, .stopsLiveServers)
struct ConsoleTests {}

/// A live server with the console beside OneBot 11, and a browser's part: its session cookie, the CSRF token its
/// pages carry, forms sent as a browser sends them.
struct ConsoleClient: Sendable {
    static let token = "console-test-token"

    let server: LiveServer
    /// `trefoil_console=<id>`, as the browser sends it back; empty before sign-in.
    var cookie: String = ""
    var csrf: String = ""

    /// A server whose access token is `token` (empty: none), with the console on.
    static func start(
        token: String = ConsoleClient.token, clock: TestClock? = nil,
        configure: (inout TrefoilConfig) -> Void = { _ in }
    ) async throws -> LiveServer {
        try await LiveServer.start(token: token, faces: [OneBot11Face.self, ConsoleFace.self], clock: clock) { config in
            config.console.enable = true
            configure(&config)
        }
    }

    /// Signs in with `secret` and reads the CSRF token from the first page.
    static func signIn(_ server: LiveServer, with secret: String = ConsoleClient.token) async throws -> ConsoleClient {
        var client = ConsoleClient(server: server)
        let answer = try await client.form("/console/sign-in", ["token": secret], csrf: nil)
        #expect(answer.status == .seeOther, "\(answer.text)")
        client.cookie = try #require(answer.sessionCookie.map { "trefoil_console=\($0.value)" })
        let page = try await client.get("/console/groups")
        client.csrf = try #require(page.csrfToken, "no csrf meta in \(page.text.prefix(500))")
        return client
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> ConsoleAnswer {
        try await send(path, method: .get, headers: headers, body: nil)
    }

    /// A form POST; `csrf` nil leaves the field out, the default sends the session's.
    func form(_ path: String, _ fields: [String: String], csrf: String?? = .none) async throws -> ConsoleAnswer {
        var fields = fields
        switch csrf {
        case .none: fields["csrf"] = self.csrf
        case .some(let given?): fields["csrf"] = given
        case .some(nil): break
        }
        let body = fields.sorted { $0.key < $1.key }.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }
            .joined(separator: "&")
        return try await send(
            path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: Array(body.utf8))
    }

    /// The page script's upload: a raw PUT with the CSRF header (`csrf` nil leaves it out).
    func upload(group: String, folder: String = "/", name: String, bytes: [UInt8], csrf: String?? = .none)
        async throws -> ConsoleAnswer
    {
        var headers: HTTPFields = [.contentType: "application/octet-stream"]
        switch csrf {
        case .none: headers[HTTPField.Name("X-CSRF-Token")!] = self.csrf
        case .some(let given?): headers[HTTPField.Name("X-CSRF-Token")!] = given
        case .some(nil): break
        }
        let path =
            "/console/group/upload?group=\(Self.encode(group))&folder=\(Self.encode(folder))&name=\(Self.encode(name))"
        return try await send(path, method: .put, headers: headers, body: bytes)
    }

    func send(_ path: String, method: HTTPRequest.Method, headers: HTTPFields, body: [UInt8]?) async throws
        -> ConsoleAnswer
    {
        var headers = headers
        if !cookie.isEmpty { headers[.cookie] = cookie }
        let response = try await server.request(
            path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
        return ConsoleAnswer(
            status: response.status, headers: response.headers,
            bytes: response.body.map { Array($0.readableBytesView) } ?? [])
    }

    /// A value in a query or a form, as the pages' links write it.
    static func encode(_ text: String) -> String { ConsoleFormat.query(text) }
}

/// An answer of the console.
struct ConsoleAnswer: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let bytes: [UInt8]

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Every `Set-Cookie` header, parsed.
    var cookies: [SetCookie] { headers[values: .setCookie].map(SetCookie.init) }

    var sessionCookie: SetCookie? { cookies.first { $0.name == "trefoil_console" } }

    /// The token of the page's `<meta name="csrf-token">`.
    var csrfToken: String? { text.firstMatch(of: /<meta name="csrf-token" content="([^"]+)">/).map { String($0.1) } }
}

/// A `Set-Cookie` header as a browser reads it: the name and value, then attributes (names lowercased).
struct SetCookie: Sendable {
    let name: String
    let value: String
    /// `httponly`, `samesite` → `Strict`, `path` → `/console`, …; a flag's value is "".
    let attributes: [String: String]

    init(_ header: String) {
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let pair = (parts.first ?? "").split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        name = pair.first.map(String.init) ?? ""
        value = pair.count > 1 ? String(pair[1]) : ""
        var attributes: [String: String] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            attributes[String(pair[0]).lowercased()] = pair.count > 1 ? String(pair[1]) : ""
        }
        self.attributes = attributes
    }
}
