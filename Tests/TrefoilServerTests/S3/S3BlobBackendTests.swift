import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import NIOCore
import Testing
import TrefoilConfiguration
import TrefoilCore
import TrefoilJSON
import TrefoilTestSupport

@testable import TrefoilS3
@testable import TrefoilServer

#if canImport(Glibc)
    import Glibc
#endif

/// The gateway with `storage.blobs.backend: s3`, against moto's S3 server: where the bytes go, how downloads reach
/// them, when objects are removed, and what start-up says about a bucket it cannot use. The suites of uploads,
/// downloads, dedup, deletes, quotas and restarts also run whole against S3 (`TestBlobs`, the README's test command).
@Suite("Blobs on S3", .timeLimit(.minutes(3)), .stopsLiveServers)
struct S3BlobBackendTests {
    /// A server whose blobs are in a new bucket of the plain moto server.
    func start(clock: TestClock? = nil, _ configure: @escaping (inout TrefoilConfig) -> Void = { _ in }) async throws
        -> (LiveServer, S3Client)
    {
        let moto = try await MotoServer.plain()
        let bucket = try await moto.makeBucket()
        let server = try await LiveServer.start(clock: clock) { config in
            moto.use(bucket: bucket, in: &config)
            // These tests watch the bucket: every file's bytes go there, none stay in the database.
            config.storage.blobs.inlineMaxBytes = 0
            configure(&config)
        }
        return (server, try S3Client(configuration: moto.configuration(bucket: bucket), http: s3TestHTTP))
    }

    func upload(_ server: LiveServer, _ bytes: [UInt8], group: Int = 9, name: String = "d.bin") async throws
        -> JSONValue
    {
        try await HTTPCaller(server: server).ok(
            "upload_group_file",
            ["group_id": .int(Int64(group)), "file": .string(base64(bytes)), "name": .string(name)])
    }

    func keys(_ client: S3Client) async throws -> [String] {
        try await client.listObjects(prefix: "").objects.map(\.key).sorted()
    }

    @Test("the live servers of this run keep their blobs where TREFOIL_TEST_BLOBS says")
    func runBackend() async throws {
        let server = try await LiveServer.start()
        #expect(server.gateway.tree.blobBackend.name == (TestBlobs.useS3 ? "s3" : "disk"))
    }

    @Test(
        "an upload becomes one object under blobs/<sha256>, nothing under blobs/ on disk; a second upload of the same bytes adds none"
    )
    func objectPerContent() async throws {
        let (server, client) = try await start()
        let bytes = pseudoRandomBytes(70_000, seed: 3)
        _ = try await upload(server, bytes, name: "a.bin")
        _ = try await upload(server, bytes, name: "b.bin")
        #expect(try await keys(client) == ["blobs/\(sha256Hex(bytes))"])
        let object = try #require(try await client.headObject("blobs/\(sha256Hex(bytes))"))
        #expect(object.size == 70_000)
        let onDisk = try FileManager.default.subpathsOfDirectory(atPath: server.dataDir + "/blobs")
        #expect(onDisk.isEmpty)
    }

    @Test("a proxied download streams the object's exact bytes, with a Range answered 206 and the sha256 as ETag")
    func proxiedDownload() async throws {
        let (server, _) = try await start()
        let bytes = pseudoRandomBytes(3 << 20, seed: 5)
        let url = try #require(try await upload(server, bytes)["url"]?.stringValue)
        let path = String(url.dropFirst(server.base.count))
        let whole = try await server.request(path)
        #expect(whole.status == .ok)
        #expect(whole.headers[.eTag] == "\"\(sha256Hex(bytes))\"")
        #expect(Array(buffer: whole.body ?? ByteBuffer()) == bytes)
        let part = try await server.request(path, headers: [.range: "bytes=1000-1999"])
        #expect(part.status == .partialContent)
        #expect(part.headers[.contentRange] == "bytes 1000-1999/\(3 << 20)")
        #expect(Array(buffer: part.body ?? ByteBuffer()) == Array(bytes[1000..<2000]))
    }

    @Test("in redirect mode a signed link answers 302 to a presigned URL that a plain HTTP client fetches")
    func redirectedDownload() async throws {
        let (server, _) = try await start { $0.storage.blobs.s3.downloads = "redirect" }
        // Above `inline_max_bytes`: a file kept in the database is served by trefoil itself, never redirected.
        let bytes = pseudoRandomBytes(20_000, seed: 8)
        let url = try #require(try await upload(server, bytes)["url"]?.stringValue)
        let answer = try await server.request(String(url.dropFirst(server.base.count)))
        #expect(answer.status == .found)
        let location = try #require(answer.headers[.location])
        #expect(location.contains("X-Amz-Signature="))
        #expect(location.contains("response-content-disposition="))
        let response = try await s3TestHTTP.execute(HTTPClientRequest(url: location), timeout: .seconds(10))
        #expect(response.status == .ok)
        #expect(Array(buffer: try await response.body.collect(upTo: 1 << 20)) == bytes)
    }

    @Test("a file above the part size goes up as a multipart upload and reads back whole; none is left open")
    func multipartUpload() async throws {
        let (server, client) = try await start()
        let bytes = pseudoRandomBytes((5 << 20) * 2 + 12_345, seed: 11)
        let data = try await upload(server, bytes)
        let id = try #require(data["file_id"]?.stringValue)
        let file = try await server.gateway.tree.file(FileID(id), of: .group("9"))
        #expect(try await server.gateway.tree.bytes(of: file, in: 0..<file.size) == Data(bytes))
        #expect(try await client.listMultipartUploads(prefix: "").isEmpty)
        #expect(try await server.gateway.tree.checkConsistency(repair: false, deep: true).problems == [])
    }

    @Test("with a grace period, the object of a deleted file stays until the period has passed, then goes")
    func deletesAndGrace() async throws {
        let clock = TestClock()
        let (server, client) = try await start(clock: clock) { $0.storage.blobs.s3.deleteGraceSeconds = 600 }
        let bytes = pseudoRandomBytes(5000, seed: 2)
        let id = try #require(try await upload(server, bytes)["file_id"]?.stringValue)
        _ = try await HTTPCaller(server: server).ok("delete_group_file", ["group_id": 9, "file_id": .string(id)])
        let tree = server.gateway.tree
        #expect(try await tree.collectUnreferencedBlobs() == 0)
        #expect(try await keys(client) == ["blobs/\(sha256Hex(bytes))"])
        clock.advance(seconds: 599)
        #expect(try await tree.collectUnreferencedBlobs() == 0)
        clock.advance(seconds: 1)
        #expect(try await tree.collectUnreferencedBlobs() == 1)
        #expect(try await keys(client) == [])
    }

    @Test("an upload of bytes whose object is in its grace period reuses the object and keeps it")
    func reuseDuringGrace() async throws {
        let clock = TestClock()
        let (server, client) = try await start(clock: clock) { $0.storage.blobs.s3.deleteGraceSeconds = 60 }
        let bytes = pseudoRandomBytes(4000, seed: 6)
        let id = try #require(try await upload(server, bytes)["file_id"]?.stringValue)
        _ = try await HTTPCaller(server: server).ok("delete_group_file", ["group_id": 9, "file_id": .string(id)])
        #expect(try await server.gateway.tree.collectUnreferencedBlobs() == 0)
        _ = try await upload(server, bytes, name: "again.bin")
        clock.advance(seconds: 120)
        #expect(try await server.gateway.tree.collectUnreferencedBlobs() == 0)
        #expect(try await keys(client) == ["blobs/\(sha256Hex(bytes))"])
    }

    @Test("fsck reports an object gone from the bucket, and with --deep one whose bytes were replaced")
    func fsckFindsDamage() async throws {
        let (server, client) = try await start()
        let kept = pseudoRandomBytes(9000, seed: 31)
        let lost = pseudoRandomBytes(7000, seed: 32)
        _ = try await upload(server, kept, name: "kept.bin")
        _ = try await upload(server, lost, name: "lost.bin")
        let tree = server.gateway.tree
        #expect(try await tree.checkConsistency(repair: false, deep: true).problems == [])
        try await client.deleteObject("blobs/\(sha256Hex(lost))")
        let forged = pseudoRandomBytes(9000, seed: 33)
        try await client.putObject("blobs/\(sha256Hex(kept))", bytes: ByteBuffer(bytes: forged))
        let missing = "blob \(sha256Hex(lost)): missing in the s3 backend (referenced by 1 files)"
        #expect(try await tree.checkConsistency(repair: false).problems == [missing])
        #expect(
            try await tree.checkConsistency(repair: false, deep: true).problems.sorted()
                == [missing, "blob \(sha256Hex(kept)): its bytes in the s3 backend hash to \(sha256Hex(forged))"]
                .sorted())
    }

    @Test("trefoil serve against a bucket that does not exist exits 2 with one line naming the bucket")
    func serveStartupLine() async throws {
        let moto = try await MotoServer.plain()
        let blobs = """
            "blobs": {"backend": "s3", "s3": {"endpoint": "\(moto.endpoint)", "bucket": "no-such-bucket-here", \
            "access_key_id": "k", "secret_access_key": "do-not-print-me"}}
            """
        let store = try TempStoreConfig(storage: blobs)
        defer { store.remove() }
        let run = try await runTrefoil(["serve", "--config", store.configPath])
        #expect(run.status == 2)
        let lines = run.output.split(separator: "\n").filter { $0.contains("cannot open the store") }
        #expect(lines.count == 1)
        #expect(
            lines.first?.contains("S3 bucket \"no-such-bucket-here\" at \(moto.endpoint): the bucket does not exist")
                == true)
        #expect(!run.output.contains("do-not-print-me"))
    }

    @Test("start-up against a missing bucket or refused credentials fails with one line saying which")
    func startupChecks() async throws {
        let moto = try await MotoServer.authenticating()
        let root = makeTempDirectory(prefix: "trefoil-s3-startup")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bucket = try await moto.makeBucket()
        var config = TrefoilConfig.defaults
        config.storage.dataDir = root + "/data"
        moto.use(bucket: "no-such-bucket-\(UUID().uuidString.lowercased().prefix(8))", in: &config)
        await #expect {
            _ = try await Gateway.open(config: config, faces: [OneBot11Face.self], logger: Logger(label: "t"))
        } throws: { error in
            let line = (error as? TrefoilError)?.message ?? ""
            return line.contains("does not exist") && !line.contains("\n")
        }
        moto.use(bucket: bucket, in: &config)
        config.storage.blobs.s3.secretAccessKey = "wrong-secret"
        await #expect {
            _ = try await Gateway.open(config: config, faces: [OneBot11Face.self], logger: Logger(label: "t"))
        } throws: { error in
            let line = (error as? TrefoilError)?.message ?? ""
            return line.contains("credentials are refused") && !line.contains("\n") && !line.contains("wrong-secret")
        }
    }
}

@Suite("Blobs on S3 when things go wrong", .timeLimit(.minutes(3)), .stopsLiveServers)
struct S3FaultTests {
    /// A server on a moto server of the test's own, whose process id lets the test silence it (`SIGSTOP`), with
    /// requests to the store bounded by `timeoutMS` and one part of an upload sent at a time.
    func startOnOwnMoto(timeoutMS: Int) async throws -> (LiveServer, S3Client, pid: Int32) {
        let (moto, pid) = try await MotoServer.dedicated()
        let bucket = try await moto.makeBucket()
        let client = try S3Client(configuration: moto.configuration(bucket: bucket), http: s3TestHTTP)
        let server = try await LiveServer.start { config in
            moto.use(bucket: bucket, in: &config)
            config.storage.blobs.inlineMaxBytes = 0
            config.storage.blobs.s3.timeoutMS = timeoutMS
            config.storage.blobs.s3.partConcurrency = 1
        }
        return (server, client, pid)
    }

    @Test(
        "the endpoint stops answering mid-upload: the bot gets 32002, nothing is visible, the multipart upload is aborted once it answers again"
    )
    func endpointStopsAnswering() async throws {
        let (server, client, pid) = try await startOnOwnMoto(timeoutMS: 3000)
        defer { kill(pid, SIGKILL) }
        let bytes = pseudoRandomBytes(24 << 20, seed: 21)
        let upload = Task {
            try await server.call(
                "upload_group_file", ["group_id": 9, "file": .string(base64(bytes)), "name": "big.bin"])
        }
        // Stopped once the multipart upload exists: its parts and completion then wait on a silent endpoint.
        var started = false
        for _ in 0..<2000 where !started {
            started = !(try await client.listMultipartUploads(prefix: "")).isEmpty
            if !started { try await Task.sleep(for: .milliseconds(5)) }
        }
        try #require(started, "the upload never reached S3")
        kill(pid, SIGSTOP)
        let answer = try await upload.value
        kill(pid, SIGCONT)
        #expect(answer.retcode == 32002)
        let listing = try await HTTPCaller(server: server).ok("get_group_root_files", ["group_id": 9])
        #expect(listing["files"] == .array([]) || listing["files"] == .null)
        // What the failed abort left is in the journal: undone as soon as the store answers (the janitor's pass,
        // or the next start).
        #expect(try await server.gateway.tree.recoverPendingWrites() == 1)
        #expect(try await client.listMultipartUploads(prefix: "").isEmpty)
        #expect(try await client.listObjects(prefix: "").objects.isEmpty)
        #expect(try await server.gateway.tree.checkConsistency(repair: false).problems == [])
    }

    @Test("a delete whose object cannot be removed (the endpoint silent) is journalled and removed by the recovery")
    func failedRemovalIsJournalled() async throws {
        let (server, client, pid) = try await startOnOwnMoto(timeoutMS: 5000)
        defer { kill(pid, SIGKILL) }
        let bytes = pseudoRandomBytes(3000, seed: 41)
        let data = try await HTTPCaller(server: server).ok(
            "upload_group_file", ["group_id": 9, "file": .string(base64(bytes)), "name": "gone.bin"])
        let id = try #require(data["file_id"]?.stringValue)
        kill(pid, SIGSTOP)
        let deleted = try await server.call("delete_group_file", ["group_id": 9, "file_id": .string(id)])
        kill(pid, SIGCONT)
        #expect(deleted.retcode == 0)
        #expect(try await server.gateway.tree.recoverPendingWrites() == 1)
        #expect(try await client.listObjects(prefix: "").objects.isEmpty)
        #expect(try await server.gateway.tree.checkConsistency(repair: false).problems == [])
    }

    @Test(
        "SIGKILL of trefoil mid-upload to S3, then a restart: no partial file, the multipart upload aborted, fsck clean"
    )
    func killMidUpload() async throws {
        let moto = try await MotoServer.plain()
        let bucket = try await moto.makeBucket()
        let client = try S3Client(configuration: moto.configuration(bucket: bucket), http: s3TestHTTP)
        let blobs = """
            "blobs": {"backend": "s3", "inline_max_bytes": 0, "s3": {"endpoint": "\(moto.endpoint)", "bucket": "\(bucket)", \
            "access_key_id": "\(moto.credentials.accessKeyID)", "secret_access_key": "\(moto.credentials.secretAccessKey)", \
            "part_size_bytes": 5242880, "part_concurrency": 1}}
            """
        let store = try TempStoreConfig(storage: blobs)
        defer { store.remove() }
        try await importCommittedFile(store)

        let (process, writer) = try startImportFromStdin(store, group: 1, name: "big.bin")
        try await offCooperativePool {
            for seed in 0..<40 { try writer.write(contentsOf: Data(pseudoRandomBytes(1 << 20, seed: UInt64(seed)))) }
            try writer.close()
        }
        var started = false
        for _ in 0..<3000 where !started {
            started = !(try await client.listMultipartUploads(prefix: "")).isEmpty
            if !started { try await Task.sleep(for: .milliseconds(5)) }
        }
        try #require(started, "the import never started its multipart upload")
        process.send(SIGKILL)
        try await offCooperativePool { process.waitUntilExit() }

        // The next process on the store (here another import) opens it with the start-up clean-up, which undoes
        // what the journal holds.
        let after = store.root + "/after.txt"
        try "after the crash".write(toFile: after, atomically: true, encoding: .utf8)
        let second = try await runTrefoil(["import", "--config", store.configPath, "--group", "1", after])
        #expect(second.status == 0, "\(second.output)")
        #expect(try await client.listMultipartUploads(prefix: "").isEmpty)
        let objects = try await client.listObjects(prefix: "").objects.map(\.key).sorted()
        let expected = ["committed before the crash", "after the crash"].map { "blobs/\(sha256Hex(Array($0.utf8)))" }
        #expect(objects == expected.sorted())
        let fsck = try await runTrefoil(["fsck", "--config", store.configPath])
        #expect(fsck.status == 0, "\(fsck.output)")
        #expect(fsck.output.hasSuffix("data: clean\n"))
    }
}
