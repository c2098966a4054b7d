import Foundation
import NIOCore
import Testing
import TrefoilJSON
import TrefoilTestSupport

/// OneBot 12's `upload_file` and `get_file`, and staged ids as the `file` of the OneBot 11 uploads, over HTTP and
/// WebSocket.
@Suite("Staged files", .timeLimit(.minutes(3)), .stopsLiveServers)
struct StagingActionTests {
    @Test(
        "upload_file with data stages the bytes, and upload_group_file links the staged id into two groups",
        arguments: Transport.allCases)
    func stagedIDInTwoGroups(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let caller = transport.caller(server)
        let bytes = pseudoRandomBytes(200_000)
        let staged = try await caller.ok(
            "upload_file", ["type": "data", "name": "photo.png", "data": .string(Data(bytes).base64EncodedString())])
        let id = try #require(staged["file_id"]?.stringValue)
        #expect(isUUIDID(id))
        #expect(staged["file"]?.stringValue == id)
        #expect(staged["sha256"]?.stringValue == sha256Hex(bytes))
        #expect(staged["file_size"]?.intValue == Int64(bytes.count))
        #expect(staged["dead_time"]?.intValue ?? 0 > Int64(Date().timeIntervalSince1970) + 3500)
        for group in [5, 6] {
            let stored = try await caller.ok(
                "upload_group_file", ["group_id": .int(Int64(group)), "file": .string(id)])
            #expect(stored["sha256"]?.stringValue == sha256Hex(bytes))
            let listing = try await caller.ok("get_group_root_files", ["group_id": .int(Int64(group))])
            #expect(listing["files"]?.arrayValue?.first?["file_name"] == "photo.png")
        }
        // One blob for the staged file and both group files.
        #expect(try await server.storedBlobs().filter { $0 == sha256Hex(bytes) }.count == 1)
        let named = try await caller.ok(
            "upload_private_file", ["user_id": 7, "file": .string(id), "name": "renamed.png"])
        #expect(named["sha256"]?.stringValue == sha256Hex(bytes))
    }

    @Test("upload_file from a path under upload.local_roots and from a URL with headers", arguments: Transport.allCases)
    func pathAndURLSources(transport: Transport) async throws {
        let server = try await LiveServer.start { $0.upload.allowPrivateNetworks = true }
        let caller = transport.caller(server)
        let bytes = pseudoRandomBytes(70_000)
        let path = server.root + "/roots/report.bin"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let fromPath = try await caller.ok("upload_file", ["type": "path", "path": .string(path)])
        #expect(fromPath["sha256"]?.stringValue == sha256Hex(bytes))
        let id = try #require(fromPath["file_id"]?.stringValue)
        let link = try await caller.ok("get_file", ["file_id": .string(id), "type": "url"])
        #expect(link["name"] == "report.bin")
        let url = try #require(link["url"]?.stringValue)
        let fromURL = try await caller.ok(
            "upload_file",
            [
                "type": "url", "url": .string(url), "name": "copy.bin", "headers": ["X-Test": "1"],
                "sha256": .string(sha256Hex(bytes)),
            ])
        #expect(fromURL["sha256"]?.stringValue == sha256Hex(bytes))
        #expect(fromURL["file_id"]?.stringValue != id)
    }

    @Test(
        "upload_file refuses a wrong sha256 (stores nothing), an unknown type and missing data",
        arguments: Transport.allCases)
    func uploadFileErrors(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let caller = transport.caller(server)
        let data = JSONValue.string(Data([1, 2, 3]).base64EncodedString())
        let mismatch = try await caller.fails(
            "upload_file",
            ["type": "data", "name": "a", "data": data, "sha256": .string(String(repeating: "0", count: 64))],
            retcode: 35011, msg: "DIGEST_MISMATCH")
        #expect(mismatch.hasPrefix("sha256 mismatch: expected 000"))
        try await caller.fails("upload_file", ["type": "ftp", "name": "a"], retcode: 10004, msg: "UNSUPPORTED_PARAM")
        #expect(
            try await caller.fails("upload_file", ["type": "data", "name": "a"], retcode: 10003, msg: "BAD_PARAM")
                == "lack of [data]")
        #expect(
            try await caller.fails("upload_file", ["type": "data", "data": data], retcode: 10003, msg: "BAD_PARAM")
                == "lack of [name]")
        try await caller.fails(
            "upload_file", ["type": "data", "name": "a", "data": "%%%"], retcode: 10003, msg: "BAD_PARAM")
        #expect(!(try await server.storedBlobs()).contains(sha256Hex([1, 2, 3])))
    }

    @Test(
        "get_file answers a url, a path to the blob or base64 data, and refuses data too big for a frame",
        arguments: Transport.allCases)
    func getFileTypes(transport: Transport) async throws {
        let server = try await LiveServer.start { $0.server.wsMaxMessageBytes = 64 << 10 }
        let caller = transport.caller(server)
        let small = pseudoRandomBytes(1000)
        let id = try #require(
            try await caller.ok(
                "upload_file", ["type": "data", "name": "s.bin", "data": .string(Data(small).base64EncodedString())]
            )["file_id"]?.stringValue)
        let data = try await caller.ok("get_file", ["file_id": .string(id), "type": "data"])
        #expect(data["data"]?.stringValue == Data(small).base64EncodedString())
        #expect(data["sha256"]?.stringValue == sha256Hex(small))
        #expect(data["md5"]?.stringValue == md5Hex(small))
        let path = try #require(
            try await caller.ok("get_file", ["file_id": .string(id), "type": "path"])["path"]?.stringValue)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(small))
        let url = try #require(
            try await caller.ok("get_file", ["file_id": .string(id), "type": "url"])["url"]?.stringValue)
        let download = try await server.request(String(url.dropFirst("http://127.0.0.1:\(server.port)".count)))
        #expect(download.body.map { Array($0.readableBytesView) } == small)

        // Too big for a 64 KiB message as base64: stored through a raw upload body, which streams.
        let upload = try await server.request(
            "/upload_group_file?group_id=3&name=big.bin", method: .put,
            body: ByteBuffer(bytes: pseudoRandomBytes(100_000)))
        let big = try #require(try Envelope(upload.body ?? .init()).string("file_id"))
        let refusal = try await caller.fails(
            "get_file", ["file_id": .string(big), "type": "data"], retcode: 10004, msg: "UNSUPPORTED_PARAM")
        #expect(refusal.contains("get_file_fragmented"))
        // A group file is readable by id alone.
        let groupURL = try await caller.ok("get_file", ["file_id": .string(big), "type": "url"])
        #expect(groupURL["file_size"]?.intValue == 100_000)
        try await caller.fails(
            "get_file", ["file_id": "/00000000-0000-0000-0000-000000000000", "type": "url"], retcode: 35001,
            msg: "FILE_NOT_FOUND")
        try await caller.fails(
            "get_file", ["file_id": .string(id), "type": "magnet"], retcode: 10004, msg: "UNSUPPORTED_PARAM")
    }

    @Test("a staged id past its TTL is refused as an upload's file, and the janitor's pass removes it")
    func stagedFileExpires() async throws {
        let clock = TestClock()
        let server = try await LiveServer.start(clock: clock) { $0.staging.ttlSeconds = 600 }
        let staged = try await server.call(
            "upload_file", ["type": "data", "name": "t.txt", "data": .string(Data("hello".utf8).base64EncodedString())])
        let id = try #require(staged.string("file_id"))
        #expect(staged.int("dead_time") == clock.read() + 600)
        clock.advance(seconds: 601)
        let refused = try await server.call("upload_group_file", ["group_id": 1, "file": .string(id)])
        #expect(refused.retcode == 35001)
        #expect(refused.message?.contains("staging.ttl_seconds") == true)
        #expect(try await server.gateway.tree.expireFiles() == 1)
    }

    @Test(
        "POST /upload_file with a multipart part named file answers Shamrock's file and md5, and a raw PUT stages too")
    func shamrockMultipartRoute() async throws {
        let server = try await LiveServer.start()
        let bytes = pseudoRandomBytes(300_000)
        let boundary = "----trefoil-staging"
        let response = try await server.request(
            "/upload_file", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
            body: multipartBody([("file", nil, (name: "clip.mp4", bytes: bytes))], boundary: boundary))
        let envelope = try Envelope(response.body ?? .init())
        #expect(envelope.isOK, "\(envelope)")
        #expect(envelope.string("md5") == md5Hex(bytes))
        let id = try #require(envelope.string("file"))
        #expect(envelope.string("file_id") == id)
        let stored = try await server.call("upload_group_file", ["group_id": 9, "file": .string(id)])
        #expect(stored.string("sha256") == sha256Hex(bytes))
        let listing = try await server.call("get_group_root_files", ["group_id": 9])
        #expect(listing.data["files"]?.arrayValue?.first?["file_name"] == "clip.mp4")

        let raw = try await server.request(
            "/upload_file?name=raw.bin", method: .put, body: ByteBuffer(bytes: bytes))
        #expect(try Envelope(raw.body ?? .init()).string("sha256") == sha256Hex(bytes))
        let wrong = try await server.request(
            "/upload_file?name=raw.bin&sha256=\(String(repeating: "a", count: 64))", method: .put,
            body: ByteBuffer(bytes: bytes))
        #expect(try Envelope(wrong.body ?? .init()).retcode == 35011)
    }
}
