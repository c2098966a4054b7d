import Foundation
import Testing
import TrefoilTestSupport

@testable import TrefoilServer

#if canImport(Glibc)
    import Glibc
#endif

/// Downloads are answered on the HTTP/1 pipeline with sendfile, beside Hummingbird (`DownloadHandler`). These
/// pin what a client that pipelines relies on: every request on a connection is answered, in the order sent,
/// whether it is a download or an API call; and WebSocket upgrades still work around downloads.
@Suite("Download pipeline", .timeLimit(.minutes(3)), .stopsLiveServers)
struct DownloadPipelineTests {
    /// One response read off the wire.
    struct WireResponse: CustomStringConvertible {
        let status: Int
        let headers: [String: String]
        let body: [UInt8]
        var description: String { "\(status) (\(body.count) bytes)" }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Writes `request` on a fresh connection and reads until the server closes it, `done` holds for what came,
    /// or nothing comes for 10 s.
    func exchange(
        port: Int, _ request: String, until done: @escaping @Sendable ([UInt8]) -> Bool = { _ in false }
    ) async throws -> [UInt8] {
        try await offCooperativePool { try Self.blockingExchange(port: port, request, until: done) }
    }

    static func blockingExchange(port: Int, _ request: String, until done: ([UInt8]) -> Bool) throws -> [UInt8] {
        let fd = try loopbackSocket(port: port)
        defer { close(fd) }
        let bytes = Array(request.utf8)
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw ExchangeError("send() was short") }
        return readFromSocket(fd, until: done)
    }

    struct ExchangeError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Splits a byte stream into responses by their Content-Length; `heads` marks the answers to HEAD requests,
    /// which carry no body. Stops at the first incomplete response.
    func responses(_ bytes: [UInt8], heads: Set<Int> = []) -> [WireResponse] {
        var result: [WireResponse] = []
        var index = 0
        let separator = Array("\r\n\r\n".utf8)
        while index < bytes.count {
            guard
                let end = (index...(bytes.count - separator.count)).first(where: { start in
                    bytes[start..<start + separator.count].elementsEqual(separator)
                })
            else { break }
            let lines = String(decoding: bytes[index..<end], as: UTF8.self).components(separatedBy: "\r\n")
            let statusParts = lines[0].split(separator: " ")
            guard statusParts.count >= 2, let status = Int(statusParts[1]) else { break }
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                    in: .whitespaces)
            }
            let length = heads.contains(result.count) ? 0 : Int(headers["content-length"] ?? "0") ?? 0
            let bodyStart = end + separator.count
            guard bodyStart + length <= bytes.count else { break }
            result.append(
                WireResponse(status: status, headers: headers, body: Array(bytes[bodyStart..<bodyStart + length])))
            index = bodyStart + length
        }
        return result
    }

    func get(_ path: String, _ extra: String = "") -> String { "GET \(path) HTTP/1.1\r\nHost: t\r\n\(extra)\r\n" }

    /// The headers of a WebSocket handshake (RFC 6455's sample key).
    static let webSocketUpgrade =
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"

    @Test("pipelined API calls and downloads on one connection are each answered, in the order they were sent")
    func pipelinedInOrder() async throws {
        try await withUploadedFile(200_000, seed: 3) { server, body, path in
            let request =
                get("/get_version_info") + get(path) + get(path, "Range: bytes=0-13\r\n") + get("/get_status")
                + "HEAD \(path) HTTP/1.1\r\nHost: t\r\n\r\n" + get(path)
                + get("/get_login_info", "Connection: close\r\n")
            let answers = responses(try await exchange(port: server.port, request), heads: [4])
            #expect(answers.map(\.status) == [200, 200, 206, 200, 200, 200, 200], "\(answers)")
            if answers.count == 7 {
                #expect(answers[0].text.contains("\"app_name\":\"trefoil\""))
                #expect(answers[1].body == body)
                #expect(answers[2].body == Array(body[0...13]))
                #expect(answers[2].headers["content-range"] == "bytes 0-13/200000")
                #expect(answers[3].text.contains("\"online\":true"))
                #expect(answers[4].headers["content-length"] == "200000" && answers[4].body.isEmpty)
                #expect(answers[5].body == body)
                #expect(answers[6].text.contains("\"user_id\""))
            }
        }
    }

    @Test("downloads first, a forged link among them, then an API call: forty requests in one write all come back")
    func manyPipelined() async throws {
        try await withUploadedFile(30_000, seed: 4) { server, body, path in
            let forged = path.replacingOccurrences(of: "sig=", with: "sig=0")
            var request = ""
            var expected: [Int] = []
            for round in 0..<10 {
                request +=
                    get(path) + get(forged) + get("/get_version_info") + get(path, "Range: bytes=\(round)-\(round)\r\n")
                expected += [200, 403, 200, 206]
            }
            request += get("/get_status", "Connection: close\r\n")
            expected.append(200)
            let answers = responses(try await exchange(port: server.port, request))
            #expect(answers.map(\.status) == expected, "\(answers)")
            if answers.count == expected.count {
                for round in 0..<10 {
                    #expect(answers[round * 4].body == body)
                    #expect(answers[round * 4 + 1].text.hasPrefix("this link is forged or has expired"))
                    #expect(answers[round * 4 + 3].body == [body[round]])
                }
            }
        }
    }

    @Test("a download without keep-alive closes the connection after its answer and nothing after it is answered")
    func closeAfterDownload() async throws {
        try await withUploadedFile(5_000, seed: 5) { server, body, path in
            let answers = responses(
                try await exchange(port: server.port, get(path, "Connection: close\r\n") + get("/get_version_info")))
            #expect(answers.map(\.status) == [200], "\(answers)")
            #expect(answers.first?.headers["connection"] == "close")
            #expect(answers.first?.body == body)
        }
    }

    @Test("a download sent with a body has the body ignored; HTTP/1.0 gets its answer and the connection closes")
    func bodiesAndHTTP10() async throws {
        try await withUploadedFile(3_000, seed: 9) { server, body, path in
            let withBody =
                "GET \(path) HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world"
                + get("/get_version_info", "Connection: close\r\n")
            var answers = responses(try await exchange(port: server.port, withBody))
            #expect(answers.map(\.status) == [200, 200], "\(answers)")
            #expect(answers.first?.body == body)
            answers = responses(try await exchange(port: server.port, "GET \(path) HTTP/1.0\r\n\r\n"))
            #expect(answers.map(\.status) == [200], "\(answers)")
            #expect(answers.first?.body == body)
            #expect(answers.first?.headers["connection"] == "close")
        }
    }

    @Test("a download that carries a WebSocket Upgrade header is answered as a download, then the connection closes")
    func downloadWithUpgradeHeader() async throws {
        try await withUploadedFile(2_000, seed: 7) { server, body, path in
            let answers = responses(
                try await exchange(
                    port: server.port,
                    get(path, Self.webSocketUpgrade) + get("/get_version_info", "Connection: close\r\n")))
            #expect(answers.map(\.status) == [200], "\(answers)")
            #expect(answers.first?.body == body)
            #expect(answers.first?.headers["connection"] == "close")
        }
    }

    @Test("a WebSocket upgrade after a download on the same connection is granted")
    func upgradeAfterDownload() async throws {
        try await withUploadedFile(1_000, seed: 8) { server, body, path in
            // The server sends lifecycle connect on `/` and keeps the socket open.
            let bytes = try await exchange(port: server.port, get(path) + get("/", Self.webSocketUpgrade)) {
                String(decoding: $0, as: UTF8.self).contains("\"connect\"")
            }
            let answers = responses(bytes)
            #expect(answers.first?.status == 200 && answers.first?.body == body, "\(answers)")
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.contains("HTTP/1.1 101 Switching Protocols"))
            #expect(text.contains("\"sub_type\":\"connect\""))
        }
    }
}
