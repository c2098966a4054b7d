import Foundation
import Testing
import TrefoilJSON
import TrefoilTestSupport

/// The piece-by-piece actions where the bot is the server: Trefoil dials its reverse WebSocket, and the bot's
/// calls arrive on that connection.
@Suite("Big files over reverse WebSocket", .timeLimit(.minutes(2)), .stopsLiveServers)
struct ReverseWebSocketBigFileTests {
    @Test("a bot behind a reverse WebSocket stages a file in fragments, links it into a group and streams it back")
    func fragmentsAndStreamOverReverseWebSocket() async throws {
        let bot = try await FakeBot()
        let server = try await LiveServer.start {
            $0.onebot11.reverseWS = [.init(url: "ws://127.0.0.1:\(bot.port)/ws", reconnectIntervalMS: 200)]
        }
        let connection = try await bot.connectedConnection()
        let bytes = pseudoRandomBytes(300_000)
        func call(_ action: String, _ params: JSONValue) async throws -> Envelope {
            let echo = JSONValue.string(UUID().uuidString)
            let request: JSONValue = ["action": .string(action), "params": params, "echo": echo]
            connection.send(String(decoding: request.encoded(), as: UTF8.self))
            return try await connection.frames.first(
                matching: {
                    $0.echo == echo && $0.data["data_type"] != "file_info" && $0.data["data_type"] != "file_chunk"
                },
                timeout: .seconds(20))
        }
        let pending = try #require(
            try await call("upload_file_fragmented", ["stage": "prepare", "name": "r.bin", "total_size": 300_000])
                .string("file_id"))
        for offset in [200_000, 0, 100_000] {
            let piece = Data(bytes[offset..<offset + 100_000]).base64EncodedString()
            let answer = try await call(
                "upload_file_fragmented",
                [
                    "stage": "transfer", "file_id": .string(pending), "offset": .int(Int64(offset)),
                    "data": .string(piece),
                ])
            #expect(answer.isOK, "\(answer)")
        }
        let staged = try #require(
            try await call("upload_file_fragmented", ["stage": "finish", "file_id": .string(pending)]).string("file_id")
        )
        let stored = try await call("upload_group_file", ["group_id": 21, "file": .string(staged)])
        #expect(stored.string("sha256") == sha256Hex(bytes))

        // The fake bot's WebSocket takes frames of at most 16 KiB: 9,000 bytes are 12,000 in base64.
        let done = try await call("download_file_stream", ["file": .string(staged), "chunk_size": 9000])
        #expect(done.data["data_type"] == "file_complete")
        let frames = connection.frames.all.filter { $0.echo == done.echo }
        StreamActionTests.expectDownload(frames, of: bytes, name: "r.bin", chunkSize: 9000)
        await server.stop()
        await bot.stop()
    }
}
