import Foundation
import HTTPTypes
import NIOCore
import OneBotV11
import Testing
import TrefoilJSON
import TrefoilTestSupport

/// A multipart/form-data body: text fields and at most one file part, in the given order.
func multipartBody(_ parts: [(name: String, value: String?, file: (name: String, bytes: [UInt8])?)], boundary: String)
    -> ByteBuffer
{
    var body = ByteBuffer()
    for part in parts {
        body.writeString("--\(boundary)\r\n")
        if let file = part.file {
            body.writeString(
                "Content-Disposition: form-data; name=\"\(part.name)\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            body.writeBytes(file.bytes)
        } else {
            body.writeString("Content-Disposition: form-data; name=\"\(part.name)\"\r\n\r\n\(part.value ?? "")")
        }
        body.writeString("\r\n")
    }
    body.writeString("--\(boundary)--\r\n")
    return body
}

@Suite("Upload sources", .timeLimit(.minutes(3)), .stopsLiveServers)
struct UploadSourceTests {
    let boundary = "----trefoil-test-boundary"

    @Test("multipart: the file part streams to storage, fields may follow it, the part's file name is the default")
    func multipartUpload() async throws {
        let server = try await LiveServer.start()
        let bytes = pseudoRandomBytes(3 << 20)
        let body = multipartBody(
            [
                ("group_id", "12", nil), ("file", nil, (name: "C:\\Users\\me\\photo.jpg", bytes: bytes)),
                ("folder", "/", nil),
            ],
            boundary: boundary)
        let response = try await server.request(
            "/upload_group_file", method: .post,
            headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: body)
        let envelope = try Envelope(response.body ?? .init())
        #expect(envelope.isOK, "\(envelope)")
        #expect(envelope.string("sha256") == sha256Hex(bytes))
        #expect(envelope.int("file_size") == Int64(bytes.count))
        let listing = try await server.call("get_group_root_files", ["group_id": 12])
        #expect(listing.data["files"]?.arrayValue?.first?["file_name"] == "photo.jpg")

        // An explicit name wins; query params fill in what the form lacks.
        let named = try await server.request(
            "/upload_group_file?group_id=12", method: .post,
            headers: [.contentType: "multipart/form-data; boundary=\"\(boundary)\""],
            body: multipartBody(
                [("file", nil, (name: "x.bin", bytes: [1, 2])), ("name", "chosen.txt", nil)], boundary: boundary))
        #expect(try Envelope(named.body ?? .init()).isOK)
        let names = try await server.call("get_group_root_files", ["group_id": 12]).data["files"]?.arrayValue?.map {
            $0["file_name"]
        }
        #expect(names?.contains("chosen.txt") == true)
        await server.stop()
        server.removeFiles()
    }

    @Test("multipart failures store nothing and leave no temp file: missing group, over the file limit, a broken body")
    func multipartFailures() async throws {
        let server = try await LiveServer.start { $0.limits.maxFileBytes = 1000 }
        let headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
        let noGroup = try await server.request(
            "/upload_group_file", method: .post, headers: headers,
            body: multipartBody([("file", nil, (name: "a", bytes: [1]))], boundary: boundary))
        #expect(try Envelope(noGroup.body ?? .init()).message == "lack of [group_id]")
        let tooBig = try await server.request(
            "/upload_group_file", method: .post, headers: headers,
            body: multipartBody(
                [("group_id", "1", nil), ("file", nil, (name: "a", bytes: pseudoRandomBytes(5000)))], boundary: boundary
            ))
        #expect(try Envelope(tooBig.body ?? .init()).retcode == 35006)
        var truncated = multipartBody(
            [("group_id", "1", nil), ("file", nil, (name: "a", bytes: [1, 2, 3]))], boundary: boundary)
        truncated.moveWriterIndex(to: truncated.writerIndex - 10)
        let broken = try await server.request("/upload_group_file", method: .post, headers: headers, body: truncated)
        #expect(broken.status == .badRequest)
        #expect(try await server.call("get_group_file_system_info", ["group_id": 1]).data["file_count"] == 0)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: server.dataDir + "/tmp")) == [])
        #expect(try await server.gateway.tree.checkConsistency(repair: false).isClean)
        await server.stop()
        server.removeFiles()
    }

    @Test("a raw body (PUT, or POST as octet-stream) is the file; the name comes from the query or Content-Disposition")
    func rawUpload() async throws {
        let server = try await LiveServer.start { $0.server.maxBodyBytes = 100_000 }
        let bytes = pseudoRandomBytes(50_000)
        let put = try await server.request(
            "/upload_group_file?group_id=3&name=raw.bin", method: .put, body: ByteBuffer(bytes: bytes))
        #expect(try Envelope(put.body ?? .init()).string("sha256") == sha256Hex(bytes))
        let post = try await server.request(
            "/upload_private_file?user_id=4", method: .post,
            headers: [
                .contentType: "application/octet-stream",
                .contentDisposition: "attachment; filename*=UTF-8''%E6%96%87.txt",
            ],
            body: ByteBuffer(bytes: [1, 2, 3]))
        let posted = try Envelope(post.body ?? .init())
        #expect(posted.isOK, "\(posted)")
        let nameless = try await server.request(
            "/upload_group_file?group_id=3", method: .put, body: ByteBuffer(bytes: [1]))
        #expect(try Envelope(nameless.body ?? .init()).message == "lack of [name]")
        let tooLarge = try await server.request(
            "/upload_group_file?group_id=3&name=big", method: .put, body: ByteBuffer(bytes: pseudoRandomBytes(150_000)))
        #expect(tooLarge.status == .contentTooLarge)
        let missingFolder = try await server.request(
            "/upload_group_file?group_id=3&name=x&folder=/nope", method: .put, body: ByteBuffer(bytes: [1]))
        #expect(try Envelope(missingFolder.body ?? .init()).retcode == 35002)
        #expect(try await server.call("get_group_file_system_info", ["group_id": 3]).data["file_count"] == 1)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: server.dataDir + "/tmp")) == [])
        await server.stop()
        server.removeFiles()
    }

    @Test(
        "a URL on loopback is refused by default (10004, naming the setting) and fetched when private networks are allowed"
    )
    func urlSources() async throws {
        // A second gateway serves the source bytes at a signed URL on 127.0.0.1.
        let origin = try await LiveServer.start()
        let bytes = pseudoRandomBytes(200_000, seed: 99)
        let source = try await origin.call(
            "upload_group_file", ["group_id": 1, "file": .string(base64(bytes)), "name": "origin name.bin"])
        let url = try #require(source.string("url"))

        let strict = try await LiveServer.start()
        let refused = try await HTTPCaller(server: strict).fails(
            "upload_group_file", ["group_id": 1, "file": .string(url)], retcode: 10004, msg: "UNSUPPORTED_PARAM")
        #expect(refused.contains("allow_private_networks"))
        try await HTTPCaller(server: strict).fails(
            "download_file", ["url": .string(url)], retcode: 10004, msg: "UNSUPPORTED_PARAM")

        let open = try await LiveServer.start { $0.upload.allowPrivateNetworks = true }
        let fetched = try await HTTPCaller(server: open).ok("upload_group_file", ["group_id": 1, "file": .string(url)])
        #expect(fetched["sha256"] == .string(sha256Hex(bytes)))
        let listing = try await open.call("get_group_root_files", ["group_id": 1])
        #expect(listing.data["files"]?.arrayValue?.first?["file_name"] == "origin name.bin")
        try await HTTPCaller(server: open).fails(
            "upload_group_file", ["group_id": 1, "file": .string(origin.base + "/files/nope?expires=1&sig=x")],
            retcode: 33001, msg: "DOWNLOAD_FAILED")

        let cached = try await HTTPCaller(server: open).ok(
            "download_file", ["url": .string(url), "headers": "X-Test=1", "thread_count": 4])
        let path = try #require(cached["file"]?.stringValue)
        #expect(path.hasPrefix(open.dataDir + "/cache/"))
        #expect(path.hasSuffix("/origin name.bin"))
        #expect(FileManager.default.contents(atPath: path).map { Array($0) } == bytes)
        for server in [origin, strict, open] {
            await server.stop()
            server.removeFiles()
        }
    }

    @Test(
        "a URL that trickles a byte every 200 ms fails with 33001 at upload.url_fetch_total_timeout_ms; nothing is kept"
    )
    func urlTotalTimeLimit() async throws {
        try await withFetchTestServer(makeFetchTestRouter { addTrickleRoute($0) }) { originPort in
            let server = try await LiveServer.start {
                $0.upload.allowPrivateNetworks = true
                $0.upload.urlFetchTimeoutMS = 10_000
                $0.upload.urlFetchTotalTimeoutMS = 2_000
            }
            let bot = HTTPCaller(server: server)
            let url = JSONValue.string("http://127.0.0.1:\(originPort)/trickle")
            let clock = ContinuousClock()
            let started = clock.now
            let upload = try await bot.fails(
                "upload_group_file", ["group_id": 6, "file": url, "name": "t.bin"], retcode: 33001,
                msg: "DOWNLOAD_FAILED")
            #expect(upload == "did not complete within the total time limit of 2000 ms")
            let download = try await bot.fails(
                "download_file", ["url": url, "name": "t.bin"], retcode: 33001, msg: "DOWNLOAD_FAILED")
            #expect(download == upload)
            // Each trickle alone lasts a minute; the bound is wide for a busy machine.
            #expect(clock.now - started < .seconds(60))
            #expect(try await server.call("get_group_file_system_info", ["group_id": 6]).data["file_count"] == 0)
            #expect((try? FileManager.default.contentsOfDirectory(atPath: server.dataDir + "/tmp")) == [])
            #expect((try? FileManager.default.contentsOfDirectory(atPath: server.dataDir + "/cache")) ?? [] == [])
            await server.stop()
            server.removeFiles()
        }
    }

    @Test("local paths: under upload.local_roots they upload (by path or file://), outside 10004, missing 32001")
    func localPaths() async throws {
        let server = try await LiveServer.start()
        let inside = server.root + "/roots/report.txt"
        try "local bytes".write(toFile: inside, atomically: true, encoding: .utf8)
        let bot = HTTPCaller(server: server)
        let byPath = try await bot.ok("upload_group_file", ["group_id": 2, "file": .string(inside)])
        #expect(byPath["file_size"] == 11)
        _ = try await bot.ok(
            "upload_group_file", ["group_id": 2, "file": .string("file://" + inside), "name": "again.txt"])
        let listing = try await bot.ok("get_group_root_files", ["group_id": 2])
        #expect(
            Set(listing["files"]?.arrayValue?.compactMap { $0["file_name"]?.stringValue } ?? []) == [
                "report.txt", "again.txt",
            ])
        let outside = try await bot.fails(
            "upload_group_file", ["group_id": 2, "file": "/etc/hostname"], retcode: 10004, msg: "UNSUPPORTED_PARAM")
        #expect(outside.contains("upload.local_roots"))
        try await bot.fails(
            "upload_group_file", ["group_id": 2, "file": .string(server.root + "/roots/../data/trefoil.sqlite")],
            retcode: 10004, msg: "UNSUPPORTED_PARAM")
        try await bot.fails(
            "upload_group_file", ["group_id": 2, "file": .string(server.root + "/roots/missing.txt")], retcode: 32001,
            msg: "LOCAL_FILE_NOT_FOUND")
        await server.stop()
        server.removeFiles()
    }

    @Test(
        "a FIFO under upload.local_roots fails at once with 32001, several at a time and _async, and the server keeps answering"
    )
    func fifoUploads() async throws {
        let server = try await LiveServer.start()
        let fifo = server.root + "/roots/pipe"
        try #require(mkfifo(fifo, 0o600) == 0)
        // Opening a FIFO for reading waits for a writer. Should an upload do that on the cooperative pool, this whole
        // process (server and test) would stop; this thread plays the writer after 60 s so that the test then
        // fails on time instead of hanging. The answers below must come well before that: 30 s is the bound, because
        // a full run's crowded start once took 12.8 s for them (a 10 s bound failed in a CI dry run).
        let writer = FIFOWriter(fifo, after: .seconds(60))
        let started = ContinuousClock.now
        let bot = HTTPCaller(server: server)
        let params: JSONValue = ["group_id": 5, "file": .string(fifo)]
        let uploads = (0...ProcessInfo.processInfo.activeProcessorCount).map { _ in
            Task { try await bot.call("upload_group_file", params) }
        }
        #expect(try await bot.call("upload_group_file_async", params).status == "async")
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await bot.ok("get_group_root_files", ["group_id": 5])["files"] == [])
        let waited = ContinuousClock.now - started
        #expect(waited < .seconds(30), "the server took \(waited) to answer beside the FIFO uploads")
        for upload in uploads {
            let failed = try await upload.value
            #expect(failed.retcode == 32001 && failed.msg == "LOCAL_FILE_NOT_FOUND", "\(failed)")
            #expect(failed.message == "\(fifo) is not a regular file")
        }
        writer.stop()
        #expect(try await bot.call("get_group_file_system_info", ["group_id": 5]).data["file_count"] == 0)
        await server.stop()
        server.removeFiles()
    }

    @Test("download_file decodes base64 into the cache and refuses a call with neither url nor base64")
    func downloadFileBase64() async throws {
        let server = try await LiveServer.start()
        let bot = HTTPCaller(server: server)
        let data = try await bot.ok("download_file", ["base64": "base64://aGVsbG8=", "name": "h.txt"])
        let path = try #require(data["file"]?.stringValue)
        #expect(path.hasSuffix("/h.txt"))
        #expect(FileManager.default.contents(atPath: path) == Data("hello".utf8))
        #expect(try await bot.fails("download_file", [:], retcode: 10003, msg: "BAD_PARAM") == "lack of [url]")
        await server.stop()
        server.removeFiles()
    }
}

@Suite("Persistence", .timeLimit(.minutes(3)), .stopsLiveServers)
struct PersistenceTests {
    @Test("ids, folders, files and counters survive a restart on the same data directory")
    func restart() async throws {
        let first = try await LiveServer.start()
        let folder = try await first.call("create_group_file_folder", ["group_id": 31, "name": "kept"])
        let folderID = try #require(folder.data["folder_id"])
        let bytes = pseudoRandomBytes(4096)
        let upload = try await first.call(
            "upload_group_file",
            ["group_id": 31, "file": .string(base64(bytes)), "name": "k.bin", "folder_id": folderID])
        let fileID = try #require(upload.data["file_id"])
        let listing = try await first.call("get_group_files_by_folder", ["group_id": 31, "folder_id": folderID])
        await first.stop()

        let second = try await LiveServer.start(root: first.root)
        let again = try await second.call("get_group_files_by_folder", ["group_id": 31, "folder_id": folderID])
        #expect(again.data == listing.data)
        let url = try await second.call("get_group_file_url", ["group_id": 31, "file_id": fileID])
        let path = try #require(url.string("url")).dropFirst(second.base.count)
        let download = try await second.request(String(path))
        #expect(download.body.map { Array($0.readableBytesView) } == bytes)
        // A link signed before the restart still works: the signing key is kept in the data directory.
        let oldURL = try #require(upload.string("url")).replacingOccurrences(of: first.base, with: "")
        #expect(try await second.request(oldURL).status == .ok)
        #expect(try await second.call("get_group_file_system_info", ["group_id": 31]).data["file_count"] == 1)
        await second.stop()
        second.removeFiles()
    }
}

/// Opens a FIFO for writing and closes it again, over and over from `delay` on, on a thread of its own: every
/// reader waiting in `open` for a writer then goes on (to the end of the file).
final class FIFOWriter: Sendable {
    private let stopped = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    init(_ path: String, after delay: Duration) {
        Thread.detachNewThread { [stopped, done] in
            var wait = DispatchTime.now() + .milliseconds(Int(delay.components.seconds * 1000))
            while stopped.wait(timeout: wait) == .timedOut {
                // Without a reader waiting, a non-blocking open for writing fails at once (ENXIO).
                let fd = open(path, O_WRONLY | O_NONBLOCK)
                if fd >= 0 { close(fd) }
                wait = .now() + .milliseconds(50)
            }
            done.signal()
        }
    }

    func stop() {
        stopped.signal()
        done.wait()
    }
}
