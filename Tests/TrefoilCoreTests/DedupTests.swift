import Testing
import TrefoilTestSupport

@testable import TrefoilCore

@Suite("Deduplication")
struct DedupTests {
    @Test("two uploads of the same bytes share one blob; deleting one keeps the other; deleting both frees it")
    func sharedBlob() async throws {
        let store = try TestStore()
        let first = try await store.upload("same bytes", name: "one", group: "1")
        let second = try await store.upload("same bytes", name: "two", group: "2")
        #expect(first.id != second.id)
        #expect(first.digests == second.digests)
        #expect(store.blobFiles() == [first.digests.sha256])
        #expect(try await store.tree.fileSystemInfo(of: .group("1")).usedSpace == 10)
        #expect(try await store.tree.fileSystemInfo(of: .group("2")).usedSpace == 10)

        try await store.tree.deleteFile(first.id, of: .group("1"))
        #expect(readFile(store.tree.blobPath(of: second)!) == Array("same bytes".utf8))
        #expect(try await store.tree.checkConsistency(repair: false).isClean)

        try await store.tree.deleteFile(second.id, of: .group("2"))
        #expect(store.blobFiles().isEmpty)
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
    }

    @Test("a dedup upload fills in SHA3 when it was not computed the first time")
    func sha3FilledLater() async throws {
        let plain = try TestStore()
        let first = try await plain.upload("hello")
        #expect(first.digests.sha3 == "")
        let withSHA3 = try plain.reopened(settings: .init(computeSHA3: true))
        let second = try await withSHA3.upload("hello", name: "b")
        #expect(second.digests.sha3 == "3338be694f50c5f338814986cdf0686453a888b84f424d792af4b9202398f392")
        #expect(try await withSHA3.tree.file(first.id).digests.sha3 == second.digests.sha3)
    }

    /// New bytes, bytes in the database or on disk, and a dedup upload without SHA3 of bytes that have one.
    @Test("the file an upload answers with is the file the store reads back")
    func answeredAsStored() async throws {
        let withSHA3 = try TestStore(settings: .init(computeSHA3: true))
        let first = try await withSHA3.upload("hello", name: "a")
        #expect(try await withSHA3.tree.file(first.id) == first)
        let plain = try withSHA3.reopened(settings: .init(computeSHA3: false))
        let second = try await plain.upload("hello", name: "b", group: "2")
        #expect(second.digests == first.digests, "the blob's SHA3 comes with the second file")
        #expect(try await plain.tree.file(second.id) == second)
        let onDisk = try plain.reopened(settings: .init(inlineBlobBytes: 0))
        let third = try await onDisk.upload("bytes kept as a file", name: "c")
        #expect(!third.bytesInDatabase)
        #expect(try await onDisk.tree.file(third.id) == third)
        let inline = try onDisk.reopened(settings: .init(inlineBlobBytes: 1_024))
        let fourth = try await inline.upload("bytes kept in the database", name: "d")
        #expect(fourth.bytesInDatabase)
        #expect(try await inline.tree.file(fourth.id) == fourth)
    }
}
