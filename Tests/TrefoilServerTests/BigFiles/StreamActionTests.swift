import Foundation
import NIOCore
import Testing
import TrefoilJSON
import TrefoilTestSupport

/// NapCat's `upload_file_stream`, `download_file_stream` and `clean_stream_temp_file`, and Shamrock's
/// `upload_file_to_shamrock`, over HTTP and WebSocket.
@Suite("Stream and chunk actions", .timeLimit(.minutes(3)), .stopsLiveServers)
struct StreamActionTests {
    @Test(
        "upload_file_stream takes chunks of any size in any order and answers NapCat's stream envelopes",
        arguments: Transport.allCases)
    func napCatUpload(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let caller = transport.caller(server)
        let bytes = pseudoRandomBytes(100_000)
        let cuts = [0, 30_000, 31_000, 100_000]
        for index in [2, 0, 1, 0] {
            let response = try await caller.call(
                "upload_file_stream",
                [
                    "stream_id": "s-1", "chunk_data": base64Value(bytes[cuts[index]..<cuts[index + 1]]),
                    "chunk_index": .int(Int64(index)), "total_chunks": 3, "file_size": 100_000,
                    "filename": "voice.amr", "expected_sha256": .string(sha256Hex(bytes)),
                ])
            #expect(response.json["stream"] == "stream-action")
            #expect(response.data["status"] == "chunk_received")
            #expect(response.data["type"] == "stream")
        }
        let verify = try await caller.ok("upload_file_stream", ["stream_id": "s-1", "verify_only": true])
        #expect(
            verify == [
                "type": "stream", "stream_id": "s-1", "status": "file_created", "received_chunks": 3, "total_chunks": 3,
            ])
        let done = try await caller.ok("upload_file_stream", ["stream_id": "s-1", "is_complete": true])
        #expect(done["type"] == "response")
        #expect(done["status"] == "file_complete")
        #expect(done["sha256"]?.stringValue == sha256Hex(bytes))
        #expect(done["file_size"] == 100_000)
        let path = try #require(done["file_path"]?.stringValue)
        let stored = try await caller.ok("upload_group_file", ["group_id": 8, "file": .string(path)])
        #expect(stored["sha256"]?.stringValue == sha256Hex(bytes))
        let listing = try await caller.ok("get_group_root_files", ["group_id": 8])
        #expect(listing["files"]?.arrayValue?.first?["file_name"] == "voice.amr")
    }

    @Test("upload_file_stream's errors, reset and clean_stream_temp_file", arguments: Transport.allCases)
    func napCatErrors(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let caller = transport.caller(server)
        let chunk = base64Value(ArraySlice(pseudoRandomBytes(100)))
        #expect(
            try await caller.fails(
                "upload_file_stream", ["stream_id": "new", "chunk_data": chunk, "chunk_index": 0], retcode: 10003,
                msg: "BAD_PARAM") == "invalid [total_chunks]: total_chunks required for new stream")
        try await caller.fails(
            "upload_file_stream", ["stream_id": "nobody", "verify_only": true], retcode: 35010, msg: "UPLOAD_NOT_FOUND")
        try await caller.fails(
            "upload_file_stream", ["stream_id": "s", "chunk_data": chunk, "chunk_index": 2, "total_chunks": 2],
            retcode: 10003, msg: "BAD_PARAM")
        try await caller.ok(
            "upload_file_stream", ["stream_id": "s", "chunk_data": chunk, "chunk_index": 0, "total_chunks": 2])
        try await caller.fails(
            "upload_file_stream", ["stream_id": "s", "is_complete": true], retcode: 35012, msg: "UPLOAD_INCOMPLETE")
        let reset = try await caller.ok("upload_file_stream", ["stream_id": "s", "reset": true])
        #expect(reset == ["type": "reset", "stream_id": "s", "status": "reset"])
        try await caller.fails(
            "upload_file_stream", ["stream_id": "s", "verify_only": true], retcode: 35010, msg: "UPLOAD_NOT_FOUND")
        // A mismatching sha256 stores nothing.
        try await caller.ok(
            "upload_file_stream",
            [
                "stream_id": "bad", "chunk_data": chunk, "chunk_index": 0, "total_chunks": 1,
                "expected_sha256": .string(String(repeating: "f", count: 64)),
            ])
        let mismatch = try await caller.fails(
            "upload_file_stream", ["stream_id": "bad", "is_complete": true], retcode: 35011, msg: "DIGEST_MISMATCH")
        #expect(mismatch.hasPrefix("sha256 mismatch: expected ffff"))
        try await caller.ok(
            "upload_file_stream", ["stream_id": "left", "chunk_data": chunk, "chunk_index": 0, "total_chunks": 2])
        #expect(try await caller.ok("clean_stream_temp_file", [:]) == .null)
        try await caller.fails(
            "upload_file_stream", ["stream_id": "left", "verify_only": true], retcode: 35010, msg: "UPLOAD_NOT_FOUND")
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.dataDir + "/tmp").isEmpty)
    }

    @Test("download_file_stream over WebSocket sends file_info, every file_chunk and file_complete under one echo")
    func napCatDownloadWebSocket() async throws {
        let server = try await LiveServer.start()
        let bytes = pseudoRandomBytes(200_001)
        let id = try await Self.stage(bytes, on: server)
        let session = WSSession(port: server.port, path: "/api")
        let echo = JSONValue.string("download-1")
        session.send(
            String(
                decoding: ([
                    "action": "download_file_stream", "params": ["file": .string(id), "chunk_size": 65_536],
                    "echo": echo,
                ] as JSONValue).encoded(),
                as: UTF8.self))
        _ = try await session.next { $0.echo == echo && $0.data["data_type"] == "file_complete" }
        let frames = session.received.filter { $0.echo == echo }
        Self.expectDownload(frames, of: bytes, name: "stream.bin", chunkSize: 65_536)
    }

    @Test("download_file_stream over HTTP writes the envelopes one after another, each ended by a blank line")
    func napCatDownloadHTTP() async throws {
        let server = try await LiveServer.start()
        let bytes = pseudoRandomBytes(150_000)
        let id = try await Self.stage(bytes, on: server)
        let response = try await server.request(
            "/download_file_stream", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(bytes: (["file_id": .string(id), "chunk_size": 100_000] as JSONValue).encoded()))
        let text = String(buffer: try #require(response.body))
        #expect(text.hasSuffix("\r\n\r\n"))
        let frames = try text.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }.map { try Envelope(text: $0) }
        Self.expectDownload(frames, of: bytes, name: "stream.bin", chunkSize: 100_000)
        let missing = try await server.call("download_file_stream", ["file": "/00000000-0000-0000-0000-000000000000"])
        #expect(missing.retcode == 35001)
        #expect(missing.json["stream"] == "stream-action")
    }

    @Test(
        "upload_file_to_shamrock finishes once every byte is there and the md5 matches; a wrong md5 stores nothing",
        arguments: Transport.allCases)
    func shamrockChunks(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let caller = transport.caller(server)
        let bytes = pseudoRandomBytes(90_000)
        let md5 = JSONValue.string(md5Hex(bytes))
        let second = try await caller.ok(
            "upload_file_to_shamrock",
            ["md5": md5, "offset": 60_000, "chunk": base64Value(bytes[60_000...]), "file_size": 90_000])
        #expect(second == ["file_size": 90_000, "finish": false, "path": ""])
        let last = try await caller.ok(
            "upload_file_to_shamrock",
            ["md5": md5, "offset": 0, "chunk": base64Value(bytes[..<60_000]), "file_size": 90_000])
        #expect(last["finish"] == true)
        let path = try #require(last["path"]?.stringValue)
        let stored = try await caller.ok("upload_private_file", ["user_id": 3, "file": .string(path), "name": "s.bin"])
        #expect(stored["md5"]?.stringValue == md5Hex(bytes))

        let wrong = JSONValue.string(String(repeating: "0", count: 32))
        let refusal = try await caller.fails(
            "upload_file_to_shamrock", ["md5": wrong, "chunk": base64Value(bytes[..<10])], retcode: 35011,
            msg: "DIGEST_MISMATCH")
        #expect(refusal.hasPrefix("md5 mismatch"))
        try await caller.fails(
            "upload_file_to_shamrock", ["md5": "xyz", "chunk": "AA=="], retcode: 10003, msg: "BAD_PARAM")
        try await caller.fails("upload_file_to_shamrock", ["md5": md5], retcode: 10003, msg: "BAD_PARAM")
    }

    /// Stages `bytes` as `stream.bin` and returns the staged id.
    static func stage(_ bytes: [UInt8], on server: LiveServer) async throws -> String {
        try #require(
            try await server.call(
                "upload_file",
                ["type": "data", "name": "stream.bin", "data": .string(Data(bytes).base64EncodedString())]
            ).string("file_id"))
    }

    /// Checks a download_file_stream answer: the info, the chunks in order with their sizes and progress, the end.
    static func expectDownload(_ frames: [Envelope], of bytes: [UInt8], name: String, chunkSize: Int) {
        let chunks = (bytes.count + chunkSize - 1) / chunkSize
        #expect(frames.count == chunks + 2)
        #expect(frames.allSatisfy { $0.isOK && $0.json["stream"] == "stream-action" })
        #expect(
            frames.first?.data
                == [
                    "type": "stream", "data_type": "file_info", "file_name": .string(name),
                    "file_size": .int(Int64(bytes.count)), "chunk_size": .int(Int64(chunkSize)),
                ])
        var joined: [UInt8] = []
        for (index, frame) in frames.dropFirst().dropLast().enumerated() {
            #expect(frame.data["data_type"] == "file_chunk")
            #expect(frame.data["index"]?.intValue == Int64(index))
            let piece = Array(Data(base64Encoded: frame.data["data"]?.stringValue ?? "") ?? Data())
            #expect(frame.data["size"]?.intValue == Int64(piece.count))
            #expect(frame.data["base64_size"]?.intValue == Int64(frame.data["data"]?.stringValue?.utf8.count ?? 0))
            joined += piece
        }
        #expect(frames.dropLast().last?.data["progress"] == 100)
        #expect(joined == bytes)
        #expect(
            frames.last?.data
                == [
                    "type": "response", "data_type": "file_complete", "total_chunks": .int(Int64(chunks)),
                    "total_bytes": .int(Int64(bytes.count)), "message": "Download completed",
                ])
    }
}
