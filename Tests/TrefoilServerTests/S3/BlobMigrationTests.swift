import AsyncHTTPClient
import Foundation
import Testing
import TrefoilCore
import TrefoilS3
import TrefoilTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `trefoil blobs migrate`, the real executable, between a store's `blobs/` folder and a fresh bucket of moto's
/// server.
@Suite("trefoil blobs migrate", .timeLimit(.minutes(10)))
struct BlobMigrationTests {
    /// A store whose config names a new, empty bucket (prefix `blobs`, 5 MiB parts), its blobs on the local folder.
    func storeWithBucket(bucket name: String? = nil) async throws -> (store: TempStoreConfig, bucket: S3Client) {
        let bucket = try await S3ClientTests().freshBucket()
        let store = try TempStoreConfig()
        let configuration = bucket.configuration
        let json = #"""
            {"storage": {"data_dir": "\#(store.dataDir)", "blobs": {"backend": "disk", "s3": {
                "endpoint": "\#(configuration.endpoint)", "region": "us-east-1",
                "bucket": "\#(name ?? configuration.bucket)", "prefix": "blobs", "path_style": true,
                "access_key_id": "trefoil-test", "secret_access_key": "not-checked", "part_size_bytes": 5242880}}}}
            """#
        try json.write(toFile: store.configPath, atomically: true, encoding: .utf8)
        return (store, bucket)
    }

    /// Stores each of `contents` as a file of group 1 through the store's own upload; returns the blobs' sizes by
    /// SHA-256.
    func fill(_ store: TempStoreConfig, with contents: [[UInt8]], settings: FileTree.Settings = .init()) async throws
        -> [String: Int]
    {
        let directory = DataDirectory(path: store.dataDir)
        let lock = try directory.lock()
        defer { lock.release() }
        let tree = try FileTree.open(directory: directory, settings: settings)
        var blobs: [String: Int] = [:]
        for (index, bytes) in contents.enumerated() {
            let file = try await tree.upload(
                AsyncStream {
                    $0.yield(bytes)
                    $0.finish()
                }, name: "\(index).bin", to: .group("1"),
                by: Member(id: "10"))
            #expect(file.digests.sha256 == sha256Hex(bytes))
            blobs[file.digests.sha256] = bytes.count
        }
        return blobs
    }

    /// Every blob object in the bucket, read back whole: its bytes' SHA-256 and size, by the name it is kept under.
    func objects(in bucket: S3Client) async throws -> [String: (sha256: String, size: Int)] {
        var found: [String: (sha256: String, size: Int)] = [:]
        for object in try await bucket.listObjects(prefix: "blobs/").objects {
            let response = try await bucket.getObject(object.key)
            let bytes = Array(buffer: try await response.body.collect(upTo: 64 << 20))
            found[String(object.key.dropFirst("blobs/".count))] = (sha256Hex(bytes), bytes.count)
        }
        return found
    }

    /// Every file in the store's `blobs/` folder: its bytes' SHA-256 and size, by its name.
    func files(in store: TempStoreConfig) async throws -> [String: (sha256: String, size: Int)] {
        let disk = DiskBlobs(directory: DataDirectory(path: store.dataDir))
        var found: [String: (sha256: String, size: Int)] = [:]
        for name in try await disk.storedHashes() {
            let bytes = try #require(readFile(disk.path(for: name)))
            found[name] = (sha256Hex(bytes), bytes.count)
        }
        return found
    }

    func summary(copied: Int, to target: String, bytes: Int, skipped: Int) -> String {
        let blobs = copied == 1 ? "1 blob" : "\(copied) blobs"
        return "copied \(blobs) to \(target) (\(bytes) bytes), skipped \(skipped) verified by an earlier run"
    }

    func instruction(_ store: TempStoreConfig, to target: String, emptying place: String) -> String {
        "set storage.blobs.backend to \"\(target)\" in \(store.configPath) (or TREFOIL_STORAGE_BLOBS_BACKEND="
            + "\(target)) and restart; the blobs in \(place) can then be removed"
    }

    /// The environment variable the command's last line tells the admin to set.
    func switchSetting(in output: String) throws -> [String: String] {
        let line = try #require(output.split(separator: "\n").last)
        let setting = try #require(line.firstMatch(of: /\(or (\w+)=(\w+)\)/))
        return [String(setting.1): String(setting.2)]
    }

    @Test("disk to S3 to disk keeps every blob's sha256: each object and each file read back hashes to its name")
    func roundTrip() async throws {
        let (store, bucket) = try await storeWithBucket()
        defer { store.remove() }
        let contents = [
            [], [0x41], pseudoRandomBytes(1000, seed: 2), pseudoRandomBytes(64 << 10, seed: 3),
            // Above the 5 MiB part size: a multipart upload, whose bytes S3 does not check against the name.
            pseudoRandomBytes(6 << 20, seed: 4),
            // Deduplicated: one blob for two files.
            pseudoRandomBytes(64 << 10, seed: 3),
        ]
        let blobs = try await fill(store, with: contents)
        #expect(blobs.count == 5)
        let bytes = blobs.values.reduce(0, +)

        let up = try await runTrefoil(["blobs", "migrate", "--to", "s3", "--config", store.configPath])
        #expect(up.status == 0, "\(up.output)")
        #expect(
            up.output == summary(copied: 5, to: "s3", bytes: bytes, skipped: 0) + "\n"
                + instruction(store, to: "s3", emptying: store.dataDir + "/blobs/") + "\n")
        let stored = try await objects(in: bucket)
        #expect(Set(stored.keys) == Set(blobs.keys))
        for (sha, size) in blobs {
            #expect(stored[sha]?.sha256 == sha)
            #expect(stored[sha]?.size == size)
        }
        // The source is untouched, and the store is whole on the bucket, switched there as the command says.
        #expect(Set(try await files(in: store).keys) == Set(blobs.keys))
        let onS3 = try switchSetting(in: up.output)
        #expect(onS3 == ["TREFOIL_STORAGE_BLOBS_BACKEND": "s3"])
        let check = try await runTrefoil(["fsck", "--deep", "--config", store.configPath], environment: onS3)
        #expect(check.status == 0, "\(check.output)")

        try FileManager.default.removeItem(atPath: store.dataDir + "/blobs")
        let down = try await runTrefoil(
            ["blobs", "migrate", "--to", "disk", "--config", store.configPath], environment: onS3)
        #expect(down.status == 0, "\(down.output)")
        let bucketPlace = "bucket \"\(bucket.configuration.bucket)\" under blobs/ at \(bucket.configuration.endpoint)"
        #expect(
            down.output == summary(copied: 5, to: "disk", bytes: bytes, skipped: 0) + "\n"
                + instruction(store, to: "disk", emptying: bucketPlace) + "\n")
        let back = try await files(in: store)
        #expect(Set(back.keys) == Set(blobs.keys))
        for (sha, size) in blobs {
            #expect(back[sha]?.sha256 == sha)
            #expect(back[sha]?.size == size)
        }
        #expect(Set(try await objects(in: bucket).keys) == Set(blobs.keys))
        let onDisk = try switchSetting(in: down.output)
        #expect(onDisk == ["TREFOIL_STORAGE_BLOBS_BACKEND": "disk"])
        let clean = try await runTrefoil(["fsck", "--deep", "--config", store.configPath], environment: onDisk)
        #expect(clean.status == 0, "\(clean.output)")
    }

    @Test("files kept in the database stay there when the blobs move: only the others reach the bucket, fsck is clean")
    func databaseBytesStay() async throws {
        let (store, bucket) = try await storeWithBucket()
        defer { store.remove() }
        let small = pseudoRandomBytes(1000, seed: 31)
        let large = pseudoRandomBytes(40_000, seed: 32)
        let blobs = try await fill(store, with: [small, large], settings: .init(inlineBlobBytes: 16_384))
        #expect(blobs.count == 2)
        let up = try await runTrefoil(["blobs", "migrate", "--to", "s3", "--config", store.configPath])
        #expect(up.status == 0, "\(up.output)")
        #expect(up.output.hasPrefix(summary(copied: 1, to: "s3", bytes: 40_000, skipped: 0) + "\n"))
        #expect(Set(try await objects(in: bucket).keys) == [sha256Hex(large)])
        let onS3 = try switchSetting(in: up.output)
        let check = try await runTrefoil(["fsck", "--deep", "--config", store.configPath], environment: onS3)
        #expect(check.status == 0, "\(check.output)")
    }

    @Test("killed mid-way, a second run skips the blobs the first verified and finishes with every blob verified")
    func resumesAfterSIGKILL() async throws {
        let (store, bucket) = try await storeWithBucket()
        defer { store.remove() }
        let count = 200
        let blobs = try await fill(store, with: (0..<count).map { pseudoRandomBytes(64 << 10, seed: UInt64(100 + $0)) })
        #expect(blobs.count == count)

        let process = try TestChild(
            trefoilBinary, ["blobs", "migrate", "--to", "s3", "--config", store.configPath])
        // Killed once a tenth of the blobs are in the bucket.
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline,
            try await bucket.listObjects(prefix: "blobs/").objects.count < count / 10
        {
            try await Task.sleep(for: .milliseconds(10))
        }
        process.send(SIGKILL)
        try await offCooperativePool { process.waitUntilExit() }
        #expect(process.wasSignaled, "the first run should be killed before it ends")

        let directory = DataDirectory(path: store.dataDir)
        let lock = try directory.lock()
        let tree = try FileTree.open(directory: directory, settings: .init(), cleanUp: false)
        let verified = try await tree.blobsMigrated(to: "s3")
        lock.release()
        #expect(verified.count > 0 && verified.count < count, "\(verified.count) verified")
        #expect(verified.isSubset(of: Set(blobs.keys)))
        let copiedBeforeTheKill = try await objects(in: bucket)
        #expect(verified.filter { copiedBeforeTheKill[$0]?.sha256 != $0 } == [])

        let second = try await runTrefoil(["blobs", "migrate", "--to", "s3", "--config", store.configPath])
        #expect(second.status == 0, "\(second.output)")
        let left = count - verified.count
        #expect(
            second.output.split(separator: "\n").first.map(String.init)
                == summary(copied: left, to: "s3", bytes: left * (64 << 10), skipped: verified.count))
        let stored = try await objects(in: bucket)
        #expect(Set(stored.keys) == Set(blobs.keys))
        #expect(stored.values.filter { $0.size != 64 << 10 }.isEmpty)
        #expect(stored.filter { $0.key != $0.value.sha256 }.isEmpty)
        // A completed move forgets its progress: a later one starts over.
        #expect(try await tree.blobsMigrated(to: "s3") == [])
    }

    @Test("a blob whose source bytes are missing or wrong is reported, never copied, and the others go on (exit 1)")
    func damagedSource() async throws {
        let (store, bucket) = try await storeWithBucket()
        defer { store.remove() }
        let contents = (0..<3).map { pseudoRandomBytes(4096, seed: UInt64(7 + $0)) }
        let blobs = try await fill(store, with: contents)
        let disk = DiskBlobs(directory: DataDirectory(path: store.dataDir))
        let (damaged, missing, whole) = (sha256Hex(contents[0]), sha256Hex(contents[1]), sha256Hex(contents[2]))
        let wrong = pseudoRandomBytes(4096, seed: 99)
        try Data(wrong).write(to: URL(fileURLWithPath: disk.path(for: damaged)))
        try FileManager.default.removeItem(atPath: disk.path(for: missing))

        let first = try await runTrefoil(["blobs", "migrate", "--to", "s3", "--config", store.configPath])
        #expect(first.status == 1)
        let lines = first.output.split(separator: "\n").map(String.init)
        // Standard error and output share the pipe: their order is the buffers', not the program's.
        #expect(lines.count == 4, "\(first.output)")
        #expect(
            Set(lines) == [
                "blob \(damaged): its bytes in disk hash to \(sha256Hex(wrong))",
                "blob \(missing): missing in disk",
                summary(copied: 1, to: "s3", bytes: 4096, skipped: 0),
                "blobs migrate: 2 blobs could not be copied; keep storage.blobs.backend \"disk\" and run it again: "
                    + "the blobs verified so far are skipped",
            ])
        #expect(Set(try await objects(in: bucket).keys) == [whole])

        try Data(contents[0]).write(to: URL(fileURLWithPath: disk.path(for: damaged)))
        try Data(contents[1]).write(to: URL(fileURLWithPath: disk.path(for: missing)))
        let second = try await runTrefoil(["blobs", "migrate", "--to", "s3", "--config", store.configPath])
        #expect(second.status == 0, "\(second.output)")
        #expect(
            second.output.hasPrefix(summary(copied: 2, to: "s3", bytes: 8192, skipped: 1) + "\n"), "\(second.output)")
        let stored = try await objects(in: bucket)
        #expect(Set(stored.keys) == Set(blobs.keys))
        #expect(stored.filter { $0.key != $0.value.sha256 }.isEmpty)
    }

    @Test("--to the backend the blobs are already on exits 2 with one line")
    func sameBackend() async throws {
        let (store, _) = try await storeWithBucket()
        defer { store.remove() }
        let disk = try await runTrefoil(["blobs", "migrate", "--to", "disk", "--config", store.configPath])
        #expect(disk.status == 2)
        #expect(
            disk.output == "blobs migrate: the blobs are already on disk (storage.blobs.backend); nothing to copy\n")
        let s3 = try await runTrefoil(
            ["blobs", "migrate", "--to", "s3", "--config", store.configPath],
            environment: ["TREFOIL_STORAGE_BLOBS_BACKEND": "s3"])
        #expect(s3.status == 2)
        #expect(s3.output == "blobs migrate: the blobs are already on s3 (storage.blobs.backend); nothing to copy\n")
    }

    @Test("a store in use or a bucket that does not exist exits 2 with one line, copying nothing")
    func cannotStart() async throws {
        let (store, bucket) = try await storeWithBucket()
        defer { store.remove() }
        _ = try await fill(store, with: [Array("one blob".utf8)])
        let directory = DataDirectory(path: store.dataDir)
        let lock = try directory.lock()
        let busy = try await runTrefoil(["blobs", "migrate", "--to", "s3", "--config", store.configPath])
        lock.release()
        #expect(busy.status == 2)
        #expect(busy.output == "blobs migrate: \(directory.root.path) is in use by another trefoil process\n")

        let (elsewhere, _) = try await storeWithBucket(bucket: "trefoil-no-such-bucket")
        defer { elsewhere.remove() }
        _ = try await fill(elsewhere, with: [Array("one blob".utf8)])
        let missing = try await runTrefoil(["blobs", "migrate", "--to", "s3", "--config", elsewhere.configPath])
        #expect(missing.status == 2)
        #expect(
            missing.output.hasPrefix(
                "blobs migrate: S3 bucket \"trefoil-no-such-bucket\" at \(bucket.configuration.endpoint): the bucket "
                    + "does not exist"), "\(missing.output)")
        #expect(missing.output.split(separator: "\n").count == 1)
        #expect(try await bucket.listObjects(prefix: "").objects.isEmpty)
    }
}
