import Foundation
import HTTPTypes
import InMemoryLogging
import Logging
import NIOCore
import Testing
import TrefoilTestSupport

@testable import TrefoilServer

/// `Upgrade` headers that NIO's upgrader takes as asking for WebSocket: it splits the field on commas, trims
/// each token and compares it without case. Each is the header lines of one handshake.
private let upgradeSpellings: [[String]] = [
    ["Upgrade: websocket"],
    ["Upgrade: websocket, foo"],
    ["Upgrade: foo, websocket"],
    ["Upgrade: h2c, websocket"],
    ["Upgrade: websocket,"],
    ["Upgrade: websocket "],
    ["Upgrade: websocket\t"],
    ["Upgrade: ,websocket"],
    ["Upgrade: WebSocket"],
    ["Upgrade: foo", "Upgrade: websocket"],
    ["Upgrade: websocket, foo", "Connection: keep-alive, Upgrade"],
]

/// Every OneBot path, with its trailing-slash spelling.
private let oneBotPaths = ["/", "/api", "/event", "/api/", "/event/"]

/// A handshake to try, and the refusal it must get.
private struct Refusal: Sendable {
    let target: String
    let lines: [String]
    let status: Int
    let retcode: Int64
}

@Suite("Forward WebSocket handshake", .timeLimit(.minutes(3)), .stopsLiveServers)
struct WebSocketHandshakeTests {
    @Test(
        "a handshake without the token gets 401, with a wrong one 403, and never a frame, however Upgrade is spelled",
        arguments: upgradeSpellings)
    func refusedWithoutToken(spelling: [String]) async throws {
        let server = try await LiveServer.start(token: "tok")
        let port = server.port
        let attempts = oneBotPaths.flatMap { path in
            [
                Refusal(target: path, lines: spelling, status: 401, retcode: 1401),
                Refusal(target: path, lines: spelling + ["Authorization: Bearer bad"], status: 403, retcode: 1403),
                Refusal(target: path + "?access_token=bad", lines: spelling, status: 403, retcode: 1403),
            ]
        }
        // Blocking sockets off the cooperative pool; the expectations stay on the test's task, where they count.
        let outcomes = try await offCooperativePool {
            try attempts.map { attempt -> (RawWebSocket.Answer, [UInt8]) in
                let socket = try RawWebSocket(port: port)
                let answer = try socket.upgrade(attempt.target, attempt.lines)
                // After a refusal: its body, then the end of the connection. After a 101: the failure is known.
                return (answer, answer.status == 101 ? [] : socket.readToEnd())
            }
        }
        for (attempt, (answer, rest)) in zip(attempts, outcomes) {
            let context = "\(attempt.target) \(attempt.lines)"
            #expect(answer.status == attempt.status, "\(context): \(answer.head)")
            #expect(rest.count == answer.header("Content-Length").flatMap { Int($0) }, "\(context)")
            #expect(
                (try? Envelope(ByteBuffer(bytes: rest)))?.retcode == attempt.retcode,
                "\(context): \(String(decoding: rest, as: UTF8.self))")
        }
        // The refusals changed nothing: the server still serves.
        #expect(try await server.call("get_status").isOK)
        await server.stop()
        server.removeFiles()
    }

    @Test(
        "with the token, every spelling that asks for WebSocket is upgraded and frames flow",
        arguments: upgradeSpellings)
    func upgradedWithToken(spelling: [String]) async throws {
        let server = try await LiveServer.start(token: "tok")
        let port = server.port
        let outcomes = try await offCooperativePool {
            try oneBotPaths.map { path -> (RawWebSocket.Answer, RawWebSocket.Frame?) in
                let socket = try RawWebSocket(port: port)
                let answer = try socket.upgrade(path, spelling + ["Authorization: Bearer tok"])
                guard answer.status == 101 else { return (answer, nil) }
                if path.hasPrefix("/api") {
                    try socket.sendFrame(Array(#"{"action":"get_login_info","echo":"raw"}"#.utf8))
                }
                return (answer, socket.readFrame())
            }
        }
        for (path, (answer, frame)) in zip(oneBotPaths, outcomes) {
            #expect(answer.status == 101, "\(path) \(spelling): \(answer.head)")
            let envelope = try #require(frame.flatMap { try? Envelope(ByteBuffer(bytes: $0.payload)) }, "\(path)")
            // The lifecycle event first where events go; on /api, the answer to the request.
            #expect(path.hasPrefix("/api") ? envelope.echo == "raw" : envelope.isLifecycleConnect, "\(path)")
        }
        await server.stop()
        server.removeFiles()
    }

    @Test("the upgrader's own check refuses a handshake without the right token, whatever passed the guard")
    func upgraderChecksTheToken() throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let policy = WebSocketUpgradePolicy(token: AccessToken("tok"), refusals: RefusedUpgradeLog(logger: logger))
        for spelling in ["websocket", "websocket, foo", "foo, websocket", "h2c, websocket", "websocket,"] {
            for path in oneBotPaths {
                let bare = HTTPRequest(
                    method: .get, scheme: nil, authority: "h", path: path, headerFields: [.upgrade: spelling])
                #expect(policy.verdict(for: bare, peer: nil) == .refused, "\(path) \(spelling)")
                var wrong = bare
                wrong.headerFields[.authorization] = "Bearer bad"
                #expect(policy.verdict(for: wrong, peer: nil) == .refused, "\(path) \(spelling)")
                var wrongQuery = bare
                wrongQuery.path = path + "?access_token=bad"
                #expect(policy.verdict(for: wrongQuery, peer: nil) == .refused, "\(path) \(spelling)")
                var right = bare
                right.headerFields[.authorization] = "Token tok"
                #expect(
                    policy.verdict(for: right, peer: nil) == OneBotSocket.Role(path: path).map { .role($0) },
                    "\(path) \(spelling)")
            }
        }
        let open = WebSocketUpgradePolicy(token: nil, refusals: RefusedUpgradeLog(logger: logger))
        let bare = HTTPRequest(method: .get, scheme: nil, authority: "h", path: "/api", headerFields: [:])
        #expect(open.verdict(for: bare, peer: nil) == .role(.api))
    }

    @Test("refused handshakes are logged once a minute per client address, without the query")
    func refusalsLoggedOncePerMinute() throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let log = RefusedUpgradeLog(logger: logger, capacity: 2)
        let start = ContinuousClock.now
        #expect(log.isDue("10.0.0.1", at: start))
        #expect(!log.isDue("10.0.0.1", at: start + .seconds(59)))
        #expect(log.isDue("10.0.0.2", at: start + .seconds(1)))
        // Two addresses remembered within the minute: a third goes unlogged until one of them is a minute old.
        #expect(!log.isDue("10.0.0.3", at: start + .seconds(2)))
        #expect(log.isDue("10.0.0.3", at: start + .seconds(60)))
        #expect(log.isDue("10.0.0.1", at: start + .seconds(61)))

        let lines = InMemoryLogHandler()
        let logged = RefusedUpgradeLog(logger: Logger(label: "test") { _ in lines })
        logged.record(
            .wrong, target: "/api?access_token=secret", peer: try SocketAddress(ipAddress: "10.9.9.9", port: 1))
        logged.record(.missing, target: "/", peer: try SocketAddress(ipAddress: "10.9.9.9", port: 2))
        #expect(
            lines.entries == [
                .init(
                    level: .warning, message: "websocket handshake refused",
                    metadata: ["client": "10.9.9.9", "path": "/api", "reason": "wrong access token"])
            ])
    }
}
