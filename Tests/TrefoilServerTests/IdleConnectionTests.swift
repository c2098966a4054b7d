import Foundation
import Testing
import TrefoilTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Connections that send nothing must not pile up: each holds a file descriptor, and about 20,000 of them once
/// stopped every request. These pin `server.idle_timeout_ms` from the client's side.
@Suite("Idle connections", .timeLimit(.minutes(3)), .stopsLiveServers)
struct IdleConnectionTests {
    /// Long enough that a test client on a busy machine sends its head in time, short enough to wait for.
    static let idleMS = 2000

    @Test("a connection that completes no request head within server.idle_timeout_ms is closed, trickled header or not")
    func connectionsWithoutAHeadAreClosed() async throws {
        let server = try await LiveServer.start { $0.server.idleTimeoutMS = Self.idleMS }
        let silent = try loopbackSocket(port: server.port)
        let slow = try loopbackSocket(port: server.port)
        defer {
            close(silent)
            close(slow)
        }
        let start = ContinuousClock.now
        async let slowClosed = offCooperativePool {
            try sendAll(slow, Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8))
            // A header line every 100 ms keeps bytes coming, never the blank line that ends the head.
            return trickle(slow, Array("X-Pad: 1\r\n".utf8), every: .milliseconds(100), for: .seconds(20))
        }
        let silentEnd = try await offCooperativePool { readSocket(silent, silence: 20) }
        #expect(silentEnd.closed)
        #expect(silentEnd.received.isEmpty)
        #expect(ContinuousClock.now - start >= .milliseconds(Self.idleMS - 100))
        #expect(try await slowClosed)
        await server.stop()
        server.removeFiles()
    }

    @Test(
        "a kept-alive connection is closed idle_timeout after its answer, an API call's, a download's or a prepared one's"
    )
    func keptAliveConnectionsAreClosed() async throws {
        let server = try await LiveServer.start { $0.server.idleTimeoutMS = Self.idleMS }
        // The setup goes over plain sockets that send their request as soon as they connect: an HTTP client connects
        // first and sends from a task later, and at the crowded start of a full run that task can wait longer than
        // the idle timeout, so the server rightly closes the connection it has not sent on yet.
        let bytes = pseudoRandomBytes(70_000, seed: 5)
        let port = server.port
        let download = try await offCooperativePool { try Self.upload(bytes, port: port) }
        // A small file downloaded before (the first read fills the file cache, the second prepares the answer): its
        // answer is written past the HTTP encoder.
        let small = pseudoRandomBytes(3_000, seed: 6)
        let prepared = try await offCooperativePool { try Self.upload(small, port: port) }
        for _ in 0..<2 {
            let answer = try await offCooperativePool { try loopbackGet(prepared, port: port) }
            #expect(answer.hasPrefix("HTTP/1.1 200 OK"))
        }
        for (request, answer) in [("/health", Array("ok".utf8)), (download, bytes), (prepared, small)] {
            let fd = try loopbackSocket(port: server.port)
            defer { close(fd) }
            try sendAll(fd, Array("GET \(request) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
            // Each instant is taken on the reading thread right after its read, so that a busy cooperative pool
            // does not shorten the interval. The server's clock starts when the answer reaches the kernel, before
            // the client reads it, so the client can only see a shorter interval than the server's: half the
            // timeout still tells "kept open until the idle timeout" from "closed with the answer".
            let (exchange, answered) = try await offCooperativePool {
                (readSocket(fd, silence: 20) { $0.ends(with: answer) }, ContinuousClock.now)
            }
            #expect(String(decoding: exchange.received.prefix(15), as: UTF8.self) == "HTTP/1.1 200 OK", "\(request)")
            #expect(!exchange.closed, "\(request): the answer keeps the connection open")
            let (rest, closedAt) = try await offCooperativePool { (readSocket(fd, silence: 20), ContinuousClock.now) }
            #expect(rest.closed, "\(request)")
            #expect(rest.received.isEmpty, "\(request)")
            #expect(closedAt - answered >= .milliseconds(Self.idleMS / 2), "\(request)")
        }
        await server.stop()
        server.removeFiles()
    }

    /// Uploads `bytes` as a raw body into group 9 over a fresh connection (`Connection: close`); returns the path of
    /// the file's signed link.
    static func upload(_ bytes: [UInt8], port: Int) throws -> String {
        let fd = try loopbackSocket(port: port)
        defer { close(fd) }
        let head =
            "PUT /upload_group_file?group_id=9&name=d.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Length: \(bytes.count)\r\nConnection: close\r\n\r\n"
        try sendAll(fd, Array(head.utf8) + bytes)
        let answer = readFromSocket(fd)
        guard let end = answer.firstRange(of: Array("\r\n\r\n".utf8)),
            let envelope = try? JSONSerialization.jsonObject(with: Data(answer[end.upperBound...])) as? [String: Any],
            let url = (envelope["data"] as? [String: Any])?["url"] as? String,
            let path = URLComponents(string: url).map({ $0.percentEncodedPath + "?" + ($0.percentEncodedQuery ?? "") })
        else { throw LiveServerError(description: "the upload answered \(String(decoding: answer, as: UTF8.self))") }
        return path
    }

    @Test("an upload that streams in for longer than idle_timeout is not cut, nor is an idle WebSocket")
    func requestsUnderWayAndWebSocketsStay() async throws {
        let server = try await LiveServer.start { $0.server.idleTimeoutMS = Self.idleMS }
        let session = WSSession(port: server.port, path: "/api")
        #expect(try await session.call("get_status").isOK)

        let body = pseudoRandomBytes(50_000, seed: 9)
        let fd = try loopbackSocket(port: server.port)
        defer { close(fd) }
        let answer = try await offCooperativePool { () -> String in
            try sendAll(
                fd,
                Array(
                    ("PUT /upload_group_file?group_id=3&name=slow.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n").utf8))
            // Five pieces 800 ms apart: the whole body takes twice the idle timeout.
            for piece in 0..<5 {
                Thread.sleep(forTimeInterval: 0.8)
                try sendAll(fd, Array(body[(piece * 10_000)..<((piece + 1) * 10_000)]))
            }
            return String(decoding: readFromSocket(fd), as: UTF8.self)
        }
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(300))")
        #expect(answer.contains(#""sha256":"\#(sha256Hex(body))""#), "\(answer.prefix(600))")

        // The WebSocket has been idle for twice the timeout by now.
        #expect(try await session.call("get_status").isOK)
        await session.close()
        await server.stop()
        server.removeFiles()
    }
}
