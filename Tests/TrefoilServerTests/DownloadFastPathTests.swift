import Foundation
import Testing
import TrefoilConfiguration
import TrefoilTestSupport

@testable import TrefoilServer

#if canImport(Glibc)
    import Glibc
#endif

/// A keep-alive `GET` of a small file downloaded a moment ago is answered in front of the HTTP decoder
/// (`DownloadFastPath`). These pin that a client cannot tell: the same bytes and headers as the decoder's path, every
/// other request answered as before and in order, idle timeouts kept.
@Suite("Download fast path", .timeLimit(.minutes(3)), .stopsLiveServers)
struct DownloadFastPathTests {
    /// One response read off a kept-alive connection.
    struct Answer {
        let status: Int
        /// The head's lines after the status line, as sent.
        let fields: [String]
        let body: [UInt8]
    }

    /// A blocking keep-alive connection that reads one response at a time by its `Content-Length`.
    final class Connection {
        let fd: Int32
        private var pending: [UInt8] = []

        init(port: Int) throws { fd = try loopbackSocket(port: port) }
        deinit { close(fd) }

        func send(_ text: String) throws { try sendAll(fd, Array(text.utf8)) }

        /// The next response; `bodiless` for the answer to a HEAD. Nil when the server closed the connection first.
        func answer(bodiless: Bool = false) -> Answer? {
            let separator = Array("\r\n\r\n".utf8)
            while true {
                if let end = find(separator) {
                    let lines = String(decoding: pending[..<end], as: UTF8.self).components(separatedBy: "\r\n")
                    let status = Int(lines[0].split(separator: " ")[1]) ?? 0
                    let fields = Array(lines.dropFirst())
                    let lengthField = fields.first { $0.lowercased().hasPrefix("content-length:") }
                    let length =
                        bodiless
                        ? 0
                        : Int(lengthField?.split(separator: ":")[1].trimmingCharacters(in: .whitespaces) ?? "0") ?? 0
                    let start = end + separator.count
                    if pending.count >= start + length {
                        let body = Array(pending[start..<start + length])
                        pending.removeFirst(start + length)
                        return Answer(status: status, fields: fields, body: body)
                    }
                }
                let read = readSocket(fd, silence: 10) { _ in true }
                if read.received.isEmpty { return nil }
                pending += read.received
            }
        }

        /// Whether the server closes the connection within `seconds`, with nothing more sent.
        func closedByServer(within seconds: Int) -> Bool {
            let read = readSocket(fd, silence: seconds)
            return read.closed && read.received.isEmpty
        }

        private func find(_ separator: [UInt8]) -> Int? {
            guard pending.count >= separator.count else { return nil }
            return (0...(pending.count - separator.count)).first {
                pending[$0..<$0 + separator.count].elementsEqual(separator)
            }
        }
    }

    func get(_ path: String, _ extra: String = "") -> String { "GET \(path) HTTP/1.1\r\nHost: t\r\n\(extra)\r\n" }

    @Test(
        "on one keep-alive connection, later downloads come from in front of the decoder with the same bytes and head")
    func sameAnswerAhead() async throws {
        try await withUploadedFile(10_240, seed: 41, name: "report.bin") { server, bytes, path in
            let before = server.gateway.fastPath.answers
            let answers = try await offCooperativePool { () -> [Answer] in
                let connection = try Connection(port: server.port)
                return try (0..<4).map { _ in
                    try connection.send(get(path))
                    return try #require(connection.answer())
                }
            }
            // The first download reads the file's row, the second (from the cached row) prepares the answer; the rest
            // are answered ahead.
            #expect(server.gateway.fastPath.answers - before == 2)
            for answer in answers {
                #expect(answer.status == 200)
                #expect(answer.body == bytes)
                #expect(answer.fields == answers[0].fields)
            }
            #expect(answers[0].fields.contains("Content-Length: 10240"))
            #expect(answers[0].fields.contains { $0.hasPrefix("Content-Disposition:") && $0.contains("report.bin") })
        }
    }

    @Test("requests the fast path does not judge, between plain ones, are each answered as before and in order")
    func othersAnsweredAsBefore() async throws {
        try await withUploadedFile(3_000, seed: 42) { server, bytes, path in
            let before = server.gateway.fastPath.answers
            try await offCooperativePool {
                let connection = try Connection(port: server.port)
                try connection.send(get(path))
                let first = try #require(connection.answer())
                let etag = try #require(first.fields.first { $0.hasPrefix("ETag:") }?.dropFirst("ETag: ".count))
                // A range, a revalidation, a HEAD, an API call: answered by the decoder's path.
                try connection.send(get(path, "Range: bytes=5-9\r\n"))
                let ranged = try #require(connection.answer())
                #expect(ranged.status == 206 && ranged.body == Array(bytes[5...9]))
                try connection.send(get(path, "If-None-Match: \(etag)\r\n"))
                #expect(connection.answer()?.status == 304)
                try connection.send("HEAD \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
                let head = try #require(connection.answer(bodiless: true))
                #expect(head.status == 200 && head.fields.contains("Content-Length: 3000"))
                try connection.send("POST /get_status HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}")
                let status = try #require(connection.answer())
                #expect(String(decoding: status.body, as: UTF8.self).contains("\"online\":true"))
                // The body above leaves the decoder with the connection: a plain GET still gets its bytes.
                try connection.send(get(path))
                #expect(connection.answer()?.body == bytes)
            }
            #expect(server.gateway.fastPath.answers == before, "none of these was for the fast path")
            try await offCooperativePool {
                // A head split over two writes, then an API call and a download in one write: in order.
                let connection = try Connection(port: server.port)
                try connection.send(get(path))
                #expect(connection.answer()?.body == bytes)
                let split = get(path)
                try connection.send(String(split.prefix(10)))
                Thread.sleep(forTimeInterval: 0.05)
                try connection.send(String(split.dropFirst(10)))
                #expect(connection.answer()?.body == bytes)
                try connection.send(get("/get_version_info") + get(path))
                #expect(
                    connection.answer().map { String(decoding: $0.body, as: UTF8.self) }?.contains("app_name") == true)
                #expect(connection.answer()?.body == bytes)
            }
        }
    }

    @Test("a download sent right behind an API call on its own write is answered after the API call's answer")
    func waitsForEarlierAnswers() async throws {
        try await withUploadedFile(2_000, seed: 43) { server, bytes, path in
            try await offCooperativePool {
                let connection = try Connection(port: server.port)
                try connection.send(get(path))
                #expect(connection.answer()?.body == bytes)
                for _ in 0..<20 {
                    try connection.send(get("/get_status"))
                    try connection.send(get(path))
                    let status = try #require(connection.answer())
                    #expect(String(decoding: status.body, as: UTF8.self).contains("\"online\":true"))
                    #expect(connection.answer()?.body == bytes)
                }
            }
        }
    }

    @Test("a connection busy with answers from in front of the decoder stays open; once silent it is closed on time")
    func idleTimeoutKept() async throws {
        // 2 s, as IdleConnectionTests: a shorter timeout closed the test's own upload connection on a crowded CI host.
        let idle: (inout TrefoilConfig) -> Void = { $0.server.idleTimeoutMS = 2_000 }
        try await withUploadedFile(1_000, seed: 44, configure: idle) { server, bytes, path in
            let before = server.gateway.fastPath.answers
            try await offCooperativePool {
                let connection = try Connection(port: server.port)
                // Eight answers 500 ms apart: twice the timeout in all, never idle for it.
                for _ in 0..<8 {
                    try connection.send(get(path))
                    #expect(connection.answer()?.body == bytes)
                    Thread.sleep(forTimeInterval: 0.5)
                }
                #expect(connection.closedByServer(within: 10))
            }
            // All but the first two (see sameAnswerAhead) unless a write on the server emptied its caches meanwhile.
            #expect(server.gateway.fastPath.answers - before >= 4)
        }
    }

    @Test("a download with Connection: close is answered and the connection closed, after answers ahead of it")
    func closeAfterAnswersAhead() async throws {
        try await withUploadedFile(500, seed: 45) { server, bytes, path in
            try await offCooperativePool {
                let connection = try Connection(port: server.port)
                for _ in 0..<3 {
                    try connection.send(get(path))
                    #expect(connection.answer()?.body == bytes)
                }
                try connection.send(get(path, "Connection: close\r\n"))
                let last = try #require(connection.answer())
                #expect(last.body == bytes && last.fields.contains { $0.lowercased() == "connection: close" })
                #expect(connection.closedByServer(within: 5))
            }
        }
    }
}
