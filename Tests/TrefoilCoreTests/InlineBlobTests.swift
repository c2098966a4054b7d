import Foundation
import GRDB
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

@Suite("Small files kept in the database")
struct InlineBlobTests {
    /// Files of up to 16 bytes keep them in the database.
    static let settings = FileTree.Settings(inlineBlobBytes: 16)
    static let sixteen = "sixteen bytes!!!"

    @Test("a file of at most the limit has no blob file and no temp file; every read returns its exact bytes")
    func smallFileInDatabase() async throws {
        let store = try TestStore(settings: Self.settings)
        let file = try await store.upload(Self.sixteen)
        #expect(file.size == 16)
        #expect(file.bytesInDatabase)
        #expect(store.blobFiles().isEmpty)
        #expect(store.tempFiles().isEmpty)
        #expect(store.tree.blobPath(of: file) == nil)
        #expect(try await store.tree.bytes(of: file, in: 0..<16) == Data(Self.sixteen.utf8))
        #expect(try await store.tree.bytes(of: file, in: 3..<9) == Data("teen b".utf8))
        #expect(try await store.tree.bytes(of: file, in: 10..<99) == Data("tes!!!".utf8))
        let copy = try await store.tree.localCopy(of: file)
        #expect(FileManager.default.contents(atPath: copy) == Data(Self.sixteen.utf8))
        #expect(try await store.tree.file(file.id) == file)
        #expect(try await store.tree.checkConsistency(repair: false, deep: true) == ConsistencyReport())
    }

    @Test("one byte over the limit is stored by the backend, as every file was before")
    func overTheLimit() async throws {
        let store = try TestStore(settings: Self.settings)
        let file = try await store.upload(Self.sixteen + "+")
        #expect(!file.bytesInDatabase)
        #expect(store.blobFiles() == [file.digests.sha256])
        #expect(readFile(try #require(store.tree.blobPath(of: file))) == Array((Self.sixteen + "+").utf8))
        #expect(try await store.tree.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM blob_bytes") } == 0)
    }

    @Test("a file kept in the database has the digests the same bytes get on disk")
    func sameDigests() async throws {
        let inDatabase = try await TestStore(settings: Self.settings).upload(Self.sixteen)
        let onDisk = try await TestStore().upload(Self.sixteen)
        #expect(inDatabase.digests == onDisk.digests)
    }

    @Test("the same small bytes twice share one row and one copy; the copy goes with the last file that uses it")
    func dedupAndCollection() async throws {
        let store = try TestStore(settings: Self.settings)
        let first = try await store.upload(Self.sixteen, name: "a.txt")
        let second = try await store.upload(Self.sixteen, name: "b.txt", group: "2")
        #expect(try await store.refCount(of: first.digests.sha256) == 2)
        #expect(try await kept(store) == 1)
        try await store.tree.deleteFile(first.id, of: .group("1"))
        #expect(try await kept(store) == 1)
        #expect(try await store.tree.bytes(of: second, in: 0..<16) == Data(Self.sixteen.utf8))
        try await store.tree.deleteFile(second.id, of: .group("2"))
        #expect(try await store.refCount(of: first.digests.sha256) == nil)
        #expect(try await kept(store) == 0)
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("a crash before the commit leaves no row, no bytes and no file; the reopened store is clean")
    func crashBeforeCommit() async throws {
        let store = try TestStore(settings: Self.settings, crashAt: .beforeCommit)
        await #expect(throws: SimulatedCrash(step: .beforeCommit)) { try await store.upload(Self.sixteen) }
        let reopened = try store.reopened(settings: Self.settings)
        #expect(try await kept(reopened) == 0)
        #expect(reopened.blobFiles().isEmpty)
        #expect(reopened.tempFiles().isEmpty)
        #expect(try await reopened.tree.list(in: "1").files.isEmpty)
        #expect(try await reopened.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("fsck reports bytes in the database that are missing, of the wrong size, or (deep) that hash wrong")
    func fsckFindsDamage() async throws {
        let store = try TestStore(settings: Self.settings)
        let file = try await store.upload(Self.sixteen)
        let sha = file.digests.sha256
        func damage(_ sql: String) async throws {
            try await store.tree.database.writer.write { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                try db.execute(sql: sql, arguments: [sha])
            }
        }
        try await damage("UPDATE blob_bytes SET bytes = X'00' WHERE sha256 = ?")
        #expect(
            try await store.tree.checkConsistency(repair: false).problems == [
                "blob \(sha): 1 bytes in the database, 16 recorded"
            ])
        try await damage("UPDATE blob_bytes SET bytes = zeroblob(16) WHERE sha256 = ?")
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
        let zeros = "374708fff7719dd5979ec875d56cd2286f6d3cf7ec317a3b25632aab28ec37bb"
        #expect(
            try await store.tree.checkConsistency(repair: false, deep: true).problems == [
                "blob \(sha): its bytes in the database hash to \(zeros)"
            ])
        try await damage("DELETE FROM blob_bytes WHERE sha256 = ?")
        #expect(
            try await store.tree.checkConsistency(repair: false).problems == [
                "blob \(sha): missing from the database (referenced by 1 files)"
            ])
    }

    @Test("a download of a file kept in the database is refused as not found once its bytes are gone")
    func readAfterLoss() async throws {
        let store = try TestStore(settings: Self.settings)
        let file = try await store.upload(Self.sixteen)
        try await store.tree.database.writer.write { db in
            try db.execute(sql: "DELETE FROM blob_bytes WHERE sha256 = ?", arguments: [file.digests.sha256])
        }
        #expect(await trefoilError { _ = try await store.tree.bytes(of: file, in: 0..<16) } == .fileNotFound)
        #expect(await trefoilError { _ = try await store.tree.localCopy(of: file) } == .fileNotFound)
    }

    private func kept(_ store: TestStore) async throws -> Int? {
        try await store.tree.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM blob_bytes") }
    }
}
