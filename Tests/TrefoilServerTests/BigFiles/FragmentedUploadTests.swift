import Foundation
import Testing
import TrefoilJSON
import TrefoilTestSupport

/// OneBot 12's `upload_file_fragmented` and `get_file_fragmented`, over HTTP and WebSocket.
@Suite("Fragmented uploads and reads", .timeLimit(.minutes(3)), .stopsLiveServers)
struct FragmentedUploadTests {
    @Test(
        "fragments sent out of order and one sent twice finish into a staged file with the file's sha256",
        arguments: Transport.allCases)
    func outOfOrderFragments(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let caller = transport.caller(server)
        let bytes = pseudoRandomBytes(1_000_003)
        let prepared = try await caller.ok(
            "upload_file_fragmented", ["stage": "prepare", "name": "video.mp4", "total_size": .int(Int64(bytes.count))])
        let pending = try #require(prepared["file_id"]?.stringValue)
        #expect(pending.wholeMatch(of: /[0-9a-f]{32}/) != nil)
        let step = 300_000
        for offset in stride(from: 0, to: bytes.count, by: step).reversed() + [0] {
            let piece = bytes[offset..<min(bytes.count, offset + step)]
            let answer = try await caller.ok(
                "upload_file_fragmented",
                [
                    "stage": "transfer", "file_id": .string(pending), "offset": .int(Int64(offset)),
                    "data": base64Value(piece), "size": .int(Int64(piece.count)),
                ])
            #expect(answer == .null)
        }
        let finished = try await caller.ok(
            "upload_file_fragmented",
            ["stage": "finish", "file_id": .string(pending), "sha256": .string(sha256Hex(bytes))])
        let id = try #require(finished["file_id"]?.stringValue)
        #expect(isUUIDID(id))
        #expect(finished["md5"]?.stringValue == md5Hex(bytes))
        let stored = try await caller.ok("upload_group_file", ["group_id": 11, "file": .string(id)])
        #expect(stored["sha256"]?.stringValue == sha256Hex(bytes))
        #expect(stored["file_size"]?.intValue == Int64(bytes.count))
        // The pending id is spent.
        try await caller.fails(
            "upload_file_fragmented", ["stage": "finish", "file_id": .string(pending)], retcode: 35010,
            msg: "UPLOAD_NOT_FOUND")
    }

    @Test("upload_file_fragmented's documented errors", arguments: Transport.allCases)
    func fragmentErrors(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let caller = transport.caller(server)
        let bytes = pseudoRandomBytes(1000)
        let pending = try #require(
            try await caller.ok(
                "upload_file_fragmented",
                ["stage": "prepare", "name": "a.bin", "total_size": 1000, "sha256": .string(sha256Hex(bytes))]
            )["file_id"]?.stringValue)
        let outside = try await caller.fails(
            "upload_file_fragmented",
            ["stage": "transfer", "file_id": .string(pending), "offset": 900, "data": base64Value(bytes[0..<200])],
            retcode: 10003, msg: "BAD_PARAM")
        #expect(outside.hasPrefix("invalid [offset]"))
        try await caller.fails(
            "upload_file_fragmented",
            [
                "stage": "transfer", "file_id": .string(pending), "offset": 0, "data": base64Value(bytes[0..<10]),
                "size": 11,
            ],
            retcode: 10003, msg: "BAD_PARAM")
        try await caller.ok(
            "upload_file_fragmented",
            ["stage": "transfer", "file_id": .string(pending), "offset": 0, "data": base64Value(bytes[0..<600])])
        let incomplete = try await caller.fails(
            "upload_file_fragmented", ["stage": "finish", "file_id": .string(pending)], retcode: 35012,
            msg: "UPLOAD_INCOMPLETE")
        #expect(incomplete == "400 of 1000 bytes are missing, the first at offset 600")
        // The rest with other bytes than promised: the sha256 given at prepare refuses them, and the upload is gone.
        try await caller.ok(
            "upload_file_fragmented",
            [
                "stage": "transfer", "file_id": .string(pending), "offset": 600,
                "data": base64Value(ArraySlice(repeating: 0, count: 400)),
            ])
        try await caller.fails(
            "upload_file_fragmented", ["stage": "finish", "file_id": .string(pending)], retcode: 35011,
            msg: "DIGEST_MISMATCH")
        try await caller.fails(
            "upload_file_fragmented",
            ["stage": "transfer", "file_id": .string(pending), "offset": 0, "data": base64Value(bytes[0..<1])],
            retcode: 35010, msg: "UPLOAD_NOT_FOUND")
        try await caller.fails("upload_file_fragmented", ["stage": "abort"], retcode: 10004, msg: "UNSUPPORTED_PARAM")
        try await caller.fails(
            "upload_file_fragmented", ["stage": "prepare", "name": "b", "total_size": .int(5 << 30)], retcode: 35006,
            msg: "FILE_TOO_LARGE")
        try await caller.fails(
            "upload_file_fragmented", ["stage": "prepare", "total_size": 5], retcode: 10003, msg: "BAD_PARAM")
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.dataDir + "/tmp").isEmpty)
    }

    @Test(
        "get_file_fragmented reads a file's name, size and sha256, then exact ranges clipped at its end",
        arguments: Transport.allCases)
    func fragmentedReads(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let caller = transport.caller(server)
        let bytes = pseudoRandomBytes(250_000)
        let stored = try await caller.ok(
            "upload_group_file", ["group_id": 4, "file": .string(base64(bytes)), "name": "log.txt"])
        let id = try #require(stored["file_id"]?.stringValue)
        let info = try await caller.ok("get_file_fragmented", ["stage": "prepare", "file_id": .string(id)])
        #expect(info == ["name": "log.txt", "total_size": 250_000, "sha256": .string(sha256Hex(bytes))])
        var read: [UInt8] = []
        for offset in stride(from: 0, to: 250_000, by: 100_000) {
            let piece = try await caller.ok(
                "get_file_fragmented",
                ["stage": "transfer", "file_id": .string(id), "offset": .int(Int64(offset)), "size": 100_000])
            read += try #require(Data(base64Encoded: piece["data"]?.stringValue ?? "x"))
        }
        #expect(read == bytes)
        try await caller.fails(
            "get_file_fragmented", ["stage": "transfer", "file_id": .string(id), "offset": 250_001, "size": 1],
            retcode: 10003, msg: "BAD_PARAM")
        try await caller.fails(
            "get_file_fragmented", ["stage": "prepare", "file_id": "/00000000-0000-0000-0000-000000000000"],
            retcode: 35001, msg: "FILE_NOT_FOUND")
    }

    @Test(
        "one connection may hold staging.max_pending_per_connection pending uploads; another connection may begin more")
    func pendingBoundPerConnection() async throws {
        let server = try await LiveServer.start { $0.staging.maxPendingPerConnection = 2 }
        let first = WSSession(port: server.port, path: "/api")
        let prepare: JSONValue = ["stage": "prepare", "name": "a", "total_size": 10]
        try await first.ok("upload_file_fragmented", prepare)
        try await first.ok("upload_file_fragmented", prepare)
        let refusal = try await first.fails(
            "upload_file_fragmented", prepare, retcode: 35013, msg: "TOO_MANY_PENDING_UPLOADS")
        #expect(refusal == "this connection has 2 pending uploads, the most one may hold")
        let second = WSSession(port: server.port, path: "/api")
        try await second.ok("upload_file_fragmented", prepare)
    }

    @Test("after a restart a pending upload is unknown and its temp file gone, while a staged file is still usable")
    func restartInTheMiddle() async throws {
        let server = try await LiveServer.start()
        let bytes = pseudoRandomBytes(5000)
        let staged = try #require(
            try await server.call(
                "upload_file", ["type": "data", "name": "kept.bin", "data": .string(Data(bytes).base64EncodedString())]
            ).string("file_id"))
        let pending = try #require(
            try await server.call("upload_file_fragmented", ["stage": "prepare", "name": "p", "total_size": 5000])
                .string("file_id"))
        _ = try await server.call(
            "upload_file_fragmented",
            ["stage": "transfer", "file_id": .string(pending), "offset": 0, "data": base64Value(bytes[0..<2500])])
        await server.stop()
        let again = try await LiveServer.start(root: server.root)
        #expect(try FileManager.default.contentsOfDirectory(atPath: again.dataDir + "/tmp").isEmpty)
        let lost = try await again.call(
            "upload_file_fragmented",
            ["stage": "transfer", "file_id": .string(pending), "offset": 2500, "data": base64Value(bytes[2500...])])
        #expect(lost.retcode == 35010)
        let stored = try await again.call("upload_group_file", ["group_id": 2, "file": .string(staged)])
        #expect(stored.string("sha256") == sha256Hex(bytes))
    }
}
