import Foundation
import HTTPTypes
import NIOCore
import Testing
import TrefoilCore
import TrefoilTestSupport

extension FaceSeamTests {
    @Test("a face with several prefixes serves the same routes, downloads and WebSocket handshakes under each")
    func severalPrefixes() async throws {
        let server = try await Self.start()
        let port = server.port
        for prefix in ["/testface", "/alias/testface"] {
            let ping = try await server.request("\(prefix)/ping", headers: Self.faceHeader)
            #expect(ping.status == .ok, "\(prefix)")
            #expect(Self.text(ping) == #"{"ok":true}"#, "\(prefix)")
            let refused = try await server.request("\(prefix)/ping")
            #expect(refused.status == .unauthorized, "\(prefix)")
            #expect(Self.text(refused) == #"{"error":"unauthorized"}"#, "\(prefix)")

            let bytes = pseudoRandomBytes(3000, seed: UInt64(prefix.count))
            let upload = try await server.request(
                "\(prefix)/raw/41?name=p.bin", method: .post, headers: Self.faceHeader, body: ByteBuffer(bytes: bytes))
            let file = try Self.uploaded(upload)
            let download = try await server.request("\(prefix)/blobs/\(file.id)", headers: Self.faceHeader)
            #expect(download.status == .ok, "\(prefix)")
            #expect(Self.bytes(download) == bytes, "\(prefix)")

            let (status, frame) = try await offCooperativePool { () -> (Int, RawWebSocket.Frame?) in
                let socket = try RawWebSocket(port: port)
                let answer = try socket.upgrade(
                    "\(prefix)/ws", ["Upgrade: websocket", "\(TestFaceAuth.header.rawName): \(Self.faceToken)"])
                return (answer.status, socket.readFrame())
            }
            #expect(status == 101, "\(prefix)")
            #expect(frame?.opcode == 0x1, "\(prefix)")
            #expect(frame.map { String(decoding: $0.payload, as: UTF8.self) } == "testface at \(prefix)/ws")
            // Without the face's token the face refuses the handshake, and its routes answer in its format.
            let answer = try await offCooperativePool { () -> String in
                let socket = try RawWebSocket(port: port)
                try socket.send(RawWebSocket.handshake("\(prefix)/ws", ["Upgrade: websocket"]))
                return String(decoding: socket.readToEnd(), as: UTF8.self)
            }
            #expect(answer.hasPrefix("HTTP/1.1 401"), "\(answer)")
            #expect(answer.hasSuffix(#"{"error":"unauthorized"}"#), "\(answer)")
        }
        // OneBot 11, at the root, still owns what neither prefix claims.
        #expect(try await server.call("get_status").isOK)
        let elsewhere = try await server.request("/alias/ping", headers: Self.faceHeader)
        #expect(Self.text(elsewhere) != #"{"ok":true}"#)
        await server.stop()
        server.removeFiles()
    }
}
