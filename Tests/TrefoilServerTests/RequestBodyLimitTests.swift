import Foundation
import HTTPTypes
import NIOCore
import OneBotV11
import Testing
import TrefoilJSON
import TrefoilTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Bodies that are parsed in memory have a small bound of their own; only upload bodies may be large, and those
/// stream. One 300 MB JSON body to `/get_status` once took the server from 98 MB to 1 GB.
@Suite("Request bodies held in memory", .timeLimit(.minutes(3)), .stopsLiveServers)
struct RequestBodyLimitTests {
    /// A JSON object of exactly `size` bytes asking for group 7.
    static func json(size: Int) -> String {
        let frame = #"{"group_id":7,"pad":""}"#
        return #"{"group_id":7,"pad":"\#(String(repeating: "x", count: size - frame.utf8.count))"}"#
    }

    /// A form body of exactly `size` bytes asking for group 7.
    static func form(size: Int) -> String {
        let frame = "group_id=7&pad="
        return frame + String(repeating: "x", count: size - frame.utf8.count)
    }

    @Test("a JSON or form body over server.max_request_bytes is refused 413 with a failed envelope; one at it works")
    func paramsBodiesAreBounded() async throws {
        let server = try await LiveServer.start { $0.server.maxRequestBytes = 1000 }
        for (type, body) in [("application/json", Self.json), ("application/x-www-form-urlencoded", Self.form)] {
            let atLimit = try await server.request(
                "/get_group_file_system_info", method: .post, headers: [.contentType: type],
                body: ByteBuffer(string: body(1000)))
            #expect(atLimit.status == .ok, "\(type)")
            #expect(try Envelope(atLimit.body ?? .init()).data["group_id"] == 7, "\(type)")

            let over = try await server.request(
                "/get_group_file_system_info", method: .post, headers: [.contentType: type],
                body: ByteBuffer(string: body(1001)))
            #expect(over.status == .contentTooLarge, "\(type)")
            let refusal = try Envelope(over.body ?? .init())
            #expect(refusal.status == "failed")
            #expect(refusal.retcode == 1400)
            #expect(refusal.msg == "BAD_REQUEST")
            #expect(refusal.message == "the body is larger than server.max_request_bytes (1000 bytes)")
        }

        // Without a Content-Length the body is read up to the bound and no further.
        let fd = try loopbackSocket(port: server.port)
        defer { close(fd) }
        let chunk = Self.json(size: 1001)
        let answer = try await offCooperativePool { () -> String in
            try sendAll(
                fd,
                Array(
                    ("POST /get_group_file_system_info HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                        + String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n0\r\n\r\n").utf8))
            return String(decoding: readFromSocket(fd), as: UTF8.self)
        }
        #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(300))")
        #expect(answer.contains("server.max_request_bytes"))
        await server.stop()
        server.removeFiles()
    }

    @Test("an envelope or an upload's params (a base64 file) may be as large as a WebSocket message, and no larger")
    func callsHaveTheWebSocketBound() async throws {
        let server = try await LiveServer.start {
            $0.server.maxRequestBytes = 1000
            $0.server.wsMaxMessageBytes = 20_000
        }
        let file = pseudoRandomBytes(9_000, seed: 4)
        let params: JSONValue = ["group_id": 8, "file": .string(base64(file)), "name": "b.bin"]
        let upload = try await server.call("upload_group_file", params)
        #expect(upload.isOK, "\(upload)")
        let envelope: JSONValue = ["action": "upload_group_file", "params": params, "echo": 5]
        let whole = try await server.request(
            "/", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(bytes: envelope.encoded()))
        #expect(whole.status == .ok)
        #expect(try Envelope(whole.body ?? .init()).isOK)

        let large: JSONValue = ["group_id": 8, "file": .string(base64(pseudoRandomBytes(16_000))), "name": "c.bin"]
        let over = try await server.request(
            "/upload_group_file", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(bytes: large.encoded()))
        #expect(over.status == .contentTooLarge)
        #expect(
            try Envelope(over.body ?? .init()).message
                == "the body is larger than server.ws_max_message_bytes (20000 bytes)")

        // The file itself as the body streams, bounded by server.max_body_bytes only.
        let raw = pseudoRandomBytes(50_000, seed: 6)
        let streamed = try await server.request(
            "/upload_group_file?group_id=8&name=raw.bin", method: .put, body: ByteBuffer(bytes: raw))
        #expect(streamed.status == .ok)
        #expect(try Envelope(streamed.body ?? .init()).string("sha256") == sha256Hex(raw))
        await server.stop()
        server.removeFiles()
    }
}
