import Testing
import TrefoilTestSupport

@testable import TrefoilCore

/// `upload(…, replacing: true)` and `commit(…, replacing: true)`: a space that holds one current file (an avatar).
@Suite("Replacing commits", .timeLimit(.minutes(1)))
struct ReplacingCommitTests {
    let alice = Member(id: "u1", name: "Alice")
    let avatar = Owner(.avatar, "u1")

    func upload(_ store: TestStore, _ text: String, to owner: Owner? = nil, replacing: Bool = true) async throws
        -> StoredFile
    {
        try await store.tree.upload(
            chunks(Array(text.utf8)), name: "\(text).png", to: owner ?? avatar, by: alice, replacing: replacing)
    }

    @Test("two replacing uploads leave one file and one blob; the first is gone as if deleted")
    func secondReplacesFirst() async throws {
        let store = try TestStore()
        let first = try await upload(store, "old face")
        store.clock.advance(by: 1)
        let second = try await upload(store, "new face")
        #expect(try await store.tree.files(of: avatar, limit: 10, offset: 0) == [second])
        #expect(try await store.tree.fileSystemInfo(of: avatar).fileCount == 1)
        #expect(try await store.tree.fileSystemInfo(of: avatar).usedSpace == 8)
        #expect(try await store.tree.lookup(first.id) == .unknown)
        #expect(store.blobFiles() == [second.digests.sha256])
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("a replacing commit leaves other spaces alone and a replaced file's blob stays while another file has it")
    func otherSpacesAndSharedBlobs() async throws {
        let store = try TestStore()
        let shared = try await store.upload("same bytes", group: "1")
        let first = try await upload(store, "same bytes")
        let neighbour = try await upload(store, "neighbour", to: Owner(.avatar, "u2"))
        let second = try await upload(store, "next")
        #expect(first.digests == shared.digests)
        #expect(try await store.tree.files(of: avatar, limit: 10, offset: 0) == [second])
        #expect(try await store.tree.files(of: Owner(.avatar, "u2"), limit: 10, offset: 0) == [neighbour])
        #expect(readFile(store.tree.blobPath(of: shared)!) == Array("same bytes".utf8))
        #expect(Set(store.blobFiles()) == Set([shared, neighbour, second].map(\.digests.sha256)))
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("replacing removes the space's files from every folder, and takes a space of one file its next one")
    func everyFolderAndFullSpace() async throws {
        let store = try TestStore(settings: .with(.group) { $0.fileLimit = 1 })
        let folder = try await store.tree.createFolder(named: "f", in: "1", by: alice)
        _ = try await store.upload("in a folder", folder: folder.id)
        #expect(
            await trefoilError { _ = try await upload(store, "refused", to: .group("1"), replacing: false) }
                == .fileCountLimit)
        #expect(
            await trefoilError { try await store.tree.precheck(owner: .group("1"), folder: .root) } == .fileCountLimit)
        try await store.tree.precheck(owner: .group("1"), folder: .root, replacing: true)
        let kept = try await upload(store, "replaces", to: .group("1"))
        #expect(try await store.tree.files(of: .group("1"), limit: 10, offset: 0) == [kept])
        #expect(try await store.tree.folder(folder.id, in: "1").fileCount == 0)
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("a replacing commit publishes fileDeleted for each replaced file, then fileStored, with the caller's origin")
    func events() async throws {
        let store = try TestStore()
        let first = try await upload(store, "one", to: .group("1"), replacing: false)
        let second = try await upload(store, "two", to: .group("1"), replacing: false)
        let events = store.tree.events.subscribe()
        let third = try await EventOrigin.$current.withValue(EventOrigin(id: 3)) {
            try await upload(store, "three", to: .group("1"))
        }
        var iterator = events.makeAsyncIterator()
        let received = [await iterator.next(), await iterator.next(), await iterator.next()]
        let origin = EventOrigin(id: 3)
        let deleted = received.prefix(2)
        #expect(deleted.contains(.fileDeleted(first, origin: origin)))
        #expect(deleted.contains(.fileDeleted(second, origin: origin)))
        #expect(received.last == .fileStored(third, origin: origin))
    }

    @Test("a replacing commit that fails (quota) deletes nothing and leaves no blob behind")
    func failureDeletesNothing() async throws {
        let store = try TestStore(settings: .with(.avatar) { $0.totalSpace = 10 })
        let current = try await upload(store, "small")
        let events = store.tree.events.subscribe()
        #expect(await trefoilError { _ = try await upload(store, "eleven byte") } == .quotaExceeded)
        #expect(try await store.tree.files(of: avatar, limit: 10, offset: 0) == [current])
        #expect(store.blobFiles() == [current.digests.sha256])
        #expect(store.tempFiles() == [])
        let next = try await upload(store, "fits")
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next() == .fileDeleted(current, origin: nil))
        #expect(await iterator.next() == .fileStored(next, origin: nil))
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("concurrent replacing commits to one space leave exactly one file and its blob")
    func concurrentReplacing() async throws {
        let store = try TestStore()
        let tree = store.tree
        let avatar = self.avatar
        let alice = self.alice
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<24 {
                group.addTask {
                    let staged = try await tree.stage(
                        chunks(pseudoRandomBytes(500 + i, seed: UInt64(i + 1)), size: 100))
                    _ = try await tree.commit(staged, name: "a\(i).png", to: avatar, by: alice, replacing: true)
                }
            }
            try await group.waitForAll()
        }
        let files = try await tree.files(of: avatar, limit: 100, offset: 0)
        #expect(files.count == 1)
        #expect(try await tree.fileSystemInfo(of: avatar).fileCount == 1)
        #expect(store.blobFiles() == files.map(\.digests.sha256))
        #expect(try await tree.checkConsistency(repair: false) == ConsistencyReport())
    }
}
