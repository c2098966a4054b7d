import Crypto
import Foundation
import Synchronization
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

@Suite("Uploads")
struct UploadTests {
    @Test("an upload stores the exact bytes with their digests, permanent by default")
    func uploadStoresBytesAndDigests() async throws {
        let store = try TestStore()
        let file = try await store.upload("hello", name: "greeting.txt")
        #expect(file.name == "greeting.txt")
        #expect(file.size == 5)
        #expect(file.owner == .group("1"))
        #expect(file.folderID == .root)
        #expect(file.lifetime == .permanent)
        #expect(file.deadTime == 0)
        #expect(file.uploadTime == store.clock.now)
        #expect(file.modifyTime == store.clock.now)
        #expect(file.uploader == "42")
        #expect(file.uploaderName == "Alice")
        #expect(file.downloadTimes == 0)
        #expect(file.digests.sha256 == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(file.digests.md5 == "5d41402abc4b2a76b9719d911017c592")
        #expect(file.digests.sha1 == "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")
        #expect(file.digests.sha3 == "")
        #expect(readFile(store.tree.blobPath(of: file)!) == Array("hello".utf8))
        #expect(try await store.tree.file(file.id, of: .group("1")) == file)
    }

    @Test("file ids are a slash and a lowercase UUID")
    func fileIdShape() async throws {
        let store = try TestStore()
        let file = try await store.upload("x")
        #expect(
            file.id.rawValue.wholeMatch(of: /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/) != nil)
    }

    @Test("SHA3-256 is computed only when enabled")
    func sha3WhenEnabled() async throws {
        let store = try TestStore(settings: .init(computeSHA3: true))
        let file = try await store.upload("hello")
        #expect(file.digests.sha3 == "3338be694f50c5f338814986cdf0686453a888b84f424d792af4b9202398f392")
    }

    @Test("large uploads in odd chunk sizes hash the same as the whole")
    func largeUploadDigests() async throws {
        let store = try TestStore()
        let bytes = pseudoRandomBytes(3 * (1 << 20) + 12345)
        let file = try await store.tree.upload(
            chunks(bytes, size: 65_537), name: "big.bin", to: .group("7"), by: Member(id: "1"))
        #expect(file.size == Int64(bytes.count))
        #expect(readFile(store.tree.blobPath(of: file)!) == bytes)
        let expected = sha256Hex(bytes)
        #expect(file.digests.sha256 == expected)
    }

    @Test("an empty file is a valid upload")
    func zeroBytes() async throws {
        let store = try TestStore()
        let file = try await store.upload("", name: "empty")
        #expect(file.size == 0)
        #expect(file.digests.md5 == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(readFile(store.tree.blobPath(of: file)!) == [])
    }

    @Test("bad characters in file names become underscores and names are trimmed")
    func fileNameSanitised() async throws {
        let store = try TestStore()
        let file = try await store.upload("x", name: "  a/b\\c\u{0}d\ne.txt ")
        #expect(file.name == "a_b_c_d_e.txt")
    }

    @Test("empty and over-long names are refused with BAD_PARAM and store nothing")
    func badNames() async throws {
        let store = try TestStore()
        #expect(await trefoilError { try await store.upload("x", name: "   ") }?.key == "BAD_PARAM")
        let long = String(repeating: "é", count: 128)  // 256 bytes of UTF-8
        let error = await trefoilError { try await store.upload("x", name: long) }
        #expect(error == .invalid(.fileName, "256 bytes of UTF-8, at most 255 allowed"))
        #expect(try await store.upload("x", name: String(repeating: "a", count: 255)).name.utf8.count == 255)
        #expect(try await store.tree.fileSystemInfo(of: .group("1")).fileCount == 1)
    }

    @Test("an upload into a folder that does not exist fails with FOLDER_NOT_FOUND")
    func missingFolder() async throws {
        let store = try TestStore()
        let error = await trefoilError { try await store.upload("x", folder: FolderID("/nope")) }
        #expect(error == .folderNotFound)
        #expect(store.blobFiles().isEmpty)
    }

    @Test("a file over max_file_bytes fails with FILE_TOO_LARGE and stores nothing")
    func fileTooLarge() async throws {
        let store = try TestStore(settings: .init(maxFileBytes: 10))
        #expect(try await store.upload("0123456789").size == 10)
        let error = await trefoilError { try await store.upload("0123456789A") }
        #expect(error == .fileTooLarge)
        #expect(store.tempFiles().isEmpty)
        #expect(store.blobFiles().count == 1)
        #expect(try await store.tree.fileSystemInfo(of: .group("1")).fileCount == 1)
    }

    @Test("the limit stops reading the source: bytes past it are never pulled")
    func limitStopsReading() async throws {
        let store = try TestStore(settings: .init(maxFileBytes: 1 << 20))
        let pulled = PullCounter()
        let error = await trefoilError {
            _ = try await store.tree.upload(pulled.endless(), name: "x", to: .group("1"), by: Member(id: "1"))
        }
        #expect(error == .fileTooLarge)
        #expect(pulled.count <= (1 << 20) / 4096 + 1)
    }

    @Test("uploads whose source stalls in read(2) hold no thread of the cooperative pool: other tasks go on")
    func stalledSourcesLeaveThePoolFree() async throws {
        let store = try TestStore()
        // One more stalled upload than the pool has threads.
        var writers: [Int32] = []
        var uploads: [Task<StagedUpload, any Error>] = []
        for _ in 0...ProcessInfo.processInfo.activeProcessorCount {
            var ends: [Int32] = [0, 0]
            try #require(pipe(&ends) == 0)
            writers.append(ends[1])
            let bytes = FileChunks(descriptor: ends[0], ownsDescriptor: true)
            uploads.append(Task { try await store.tree.stage(bytes) })
        }
        // Were the reads on the pool, nothing here could run until this thread ends the pipes: the test then
        // fails on time instead of hanging. The bound is far from the release, not tight: in full runs beside the
        // image and media suites (whose test fixtures fill the two pool threads for seconds) a free pool still
        // took up to 18 s to run the task below.
        let release = PipeRelease(writers, after: .seconds(90))
        let started = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(500))
        #expect(await Task.detached { 42 }.value == 42)
        let waited = ContinuousClock.now - started
        #expect(waited < .seconds(60), "a task waited \(waited) for a thread of the pool")
        release.now()
        for upload in uploads {
            let staged = try await upload.value
            #expect(staged.size == 1)
            store.tree.discard(staged)
        }
    }

    @Test("the group quota is exact: an upload that would pass total_space fails with QUOTA_EXCEEDED")
    func quotaExceeded() async throws {
        let store = try TestStore(settings: .with(.group) { $0.totalSpace = 10 })
        try await store.upload("12345")
        try await store.upload("12345", name: "b")
        let error = await trefoilError { try await store.upload("1") }
        #expect(error == .quotaExceeded)
        #expect(
            try await store.tree.fileSystemInfo(of: .group("1"))
                == FileSystemInfo(fileCount: 2, limitCount: 10_000, usedSpace: 10, totalSpace: 10))
        try await store.upload("1", group: "2")  // other groups have their own quota
    }

    @Test("the file count limit is exact: FILE_COUNT_LIMIT once limit_count files exist")
    func fileCountLimit() async throws {
        let store = try TestStore(settings: .with(.group) { $0.fileLimit = 2 })
        try await store.upload("a")
        try await store.upload("b")
        #expect(await trefoilError { try await store.upload("c") } == .fileCountLimit)
        #expect(try await store.tree.fileSystemInfo(of: .group("1")).fileCount == 2)
    }

    @Test("private files are temporary for the user kind's file_days, and go to the root")
    func privateFiles() async throws {
        let store = try TestStore()
        let file = try await store.tree.upload(
            chunks(Array("p".utf8)), name: "p.txt", to: .user("9"), by: Member(id: "9"))
        #expect(file.owner == .user("9"))
        #expect(file.lifetime == .temporary)
        #expect(file.deadTime == store.clock.now + 7 * 86_400)
        let error = await trefoilError {
            _ = try await store.tree.upload(
                chunks([1]), name: "p", to: .user("9"), folder: FolderID("/x"), by: Member(id: "9"))
        }
        #expect(error == .folderNotFound)
        #expect(await trefoilError { _ = try await store.tree.file(file.id, of: .group("9")) } == .fileNotFound)
    }

    @Test("with group_file_days set, group files are temporary and trans makes them permanent")
    func temporaryGroupFiles() async throws {
        let store = try TestStore(settings: .with(.group) { $0.fileDays = 2 })
        let file = try await store.upload("t")
        #expect(file.lifetime == .temporary)
        #expect(file.deadTime == store.clock.now + 2 * 86_400)
        store.clock.advance(by: 10)
        try await store.tree.makePermanent(file.id, of: .group("1"))
        let permanent = try await store.tree.file(file.id, of: .group("1"))
        #expect(permanent.lifetime == .permanent)
        #expect(permanent.deadTime == 0)
        #expect(permanent.modifyTime == store.clock.now)
        try await store.tree.makePermanent(file.id, of: .group("1"))  // a no-op on a permanent file
        #expect(
            await trefoilError { try await store.tree.makePermanent(FileID("/x"), of: .group("1")) } == .fileNotFound)
    }
}

/// An endless byte source that counts how many chunks were pulled from it.
final class PullCounter: Sendable {
    private let pulled = Mutex(0)
    var count: Int { pulled.withLock { $0 } }

    func endless() -> AsyncStream<[UInt8]> {
        AsyncStream(unfolding: {
            self.pulled.withLock { $0 += 1 }
            return [UInt8](repeating: 0x61, count: 4096)
        })
    }
}

@Suite("Staged uploads")
struct StagedUploadTests {
    @Test("staged bytes become a file only when committed, and only once")
    func stageThenCommit() async throws {
        let store = try TestStore()
        let staged = try await store.tree.stage(chunks(Array("later".utf8)))
        #expect(staged.size == 5)
        #expect(store.tempFiles().count == 1)
        #expect(try await store.tree.fileSystemInfo(of: .group("1")).fileCount == 0)
        let file = try await store.tree.commit(staged, name: "late.txt", to: .group("1"), by: Member(id: "3"))
        #expect(file.name == "late.txt")
        #expect(store.tempFiles().isEmpty)
        let again = await trefoilError {
            _ = try await store.tree.commit(staged, name: "x", to: .group("1"), by: Member(id: "3"))
        }
        #expect(again?.key == "INTERNAL_ERROR")
        #expect(try await store.tree.fileSystemInfo(of: .group("1")).fileCount == 1)
    }

    @Test("a discarded or dropped staged upload leaves no temp file")
    func discardAndDrop() async throws {
        let store = try TestStore()
        let staged = try await store.tree.stage(chunks(Array("gone".utf8)))
        store.tree.discard(staged)
        #expect(store.tempFiles().isEmpty)
        do { _ = try await store.tree.stage(chunks(Array("dropped".utf8))) }
        #expect(store.tempFiles().isEmpty)
    }

    @Test("a commit refused by the tree removes the staged bytes and stores nothing")
    func refusedCommit() async throws {
        let store = try TestStore()
        let staged = try await store.tree.stage(chunks(Array("nowhere".utf8)))
        let error = await trefoilError {
            _ = try await store.tree.commit(
                staged, name: "n", to: .group("1"), folder: FolderID("/missing"), by: Member(id: "1"))
        }
        #expect(error == .folderNotFound)
        #expect(store.tempFiles().isEmpty)
        #expect(store.blobFiles().isEmpty)
    }
}

@Suite("Broadcast")
struct BroadcastTests {
    @Test("a full subscriber loses the overflow without blocking the publisher or the others")
    func slowSubscriberDrops() async {
        let bus = Broadcast<Int>()
        let slow = bus.subscribe(bufferSize: 2)
        let fast = bus.subscribe(bufferSize: 100)
        for i in 0..<10 { bus.publish(i) }
        #expect(bus.dropped == 8)
        var slowSeen: [Int] = []
        for await value in slow.prefix(2) { slowSeen.append(value) }
        #expect(slowSeen == [0, 1])
        var fastSeen: [Int] = []
        for await value in fast.prefix(10) { fastSeen.append(value) }
        #expect(fastSeen == Array(0..<10))
    }

    @Test("an observer sees every element published after it was added, in order, before publish returns")
    func observerSeesEachElementAtOnce() {
        let bus = Broadcast<Int>()
        bus.publish(-1)
        let seen = Mutex<[Int]>([])
        bus.observe { value in seen.withLock { $0.append(value) } }
        for i in 0..<5 {
            bus.publish(i)
            #expect(seen.withLock { $0.last } == i)
        }
        #expect(seen.withLock { $0 } == Array(0..<5))
        #expect(bus.subscriberCount == 0, "an observer is not a subscription")
    }

    @Test("a cancelled subscription is removed")
    func unsubscribe() async {
        let bus = Broadcast<Int>()
        do {
            let stream = bus.subscribe()
            let task = Task { for await _ in stream {} }
            task.cancel()
            await task.value
        }
        #expect(bus.subscriberCount == 0)
    }
}

/// Writes one byte into each pipe and closes it, on a thread of its own, when told or after a delay.
final class PipeRelease: Sendable {
    private let release = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    init(_ writers: [Int32], after delay: Duration) {
        Thread.detachNewThread { [release, done] in
            _ = release.wait(timeout: .now() + .milliseconds(Int(delay.components.seconds * 1000)))
            for fd in writers {
                var byte: UInt8 = 0x2A
                _ = write(fd, &byte, 1)
                close(fd)
            }
            done.signal()
        }
    }

    /// Releases the pipes now and waits until they are.
    func now() {
        release.signal()
        done.wait()
    }
}
