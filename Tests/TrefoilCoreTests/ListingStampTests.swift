import GRDB
import Testing

@testable import TrefoilCore

/// `stampedList` and `isCurrent`: what a face relies on to keep a rendered listing without asking the database.
@Suite("Listing stamps")
struct ListingStampTests {
    let alice = Member(id: "42", name: "Alice")

    @Test("a stamp holds through reads and ends with the next write transaction, committed or not")
    func endsWithWrites() async throws {
        let store = try TestStore()
        let tree = store.tree
        let first = try await store.upload("a", name: "a.txt")
        var (listing, stamp) = try await tree.stampedList(in: "1")
        #expect(listing.files.map(\.id) == [first.id])
        _ = try await tree.list(in: "1")
        _ = try await tree.fileSystemInfo(of: .group("1"))
        _ = try await tree.file(first.id)
        #expect(tree.isCurrent(stamp))

        try await store.upload("b", name: "b.txt")
        #expect(!tree.isCurrent(stamp))
        (listing, stamp) = try await tree.stampedList(in: "1")
        #expect(listing.files.count == 2 && tree.isCurrent(stamp))

        tree.recordDownload(of: first.id)
        #expect(tree.isCurrent(stamp), "a download counted in memory is no write yet")
        try await tree.flushDownloadCounts()
        #expect(!tree.isCurrent(stamp))
        (listing, stamp) = try await tree.stampedList(in: "1")
        #expect(listing.files.first(where: { $0.id == first.id })?.downloadTimes == 1)

        // A write that fails still ended: the stamp goes (the cache never guesses what a failure changed).
        _ = try await tree.createFolder(named: "f", in: "1", by: alice)
        (_, stamp) = try await tree.stampedList(in: "1")
        #expect(await trefoilError { _ = try await tree.createFolder(named: "f", in: "1", by: alice) } == .nameConflict)
        #expect(!tree.isCurrent(stamp))

        // A group never written to lists empty, and that holds until something is written.
        (listing, stamp) = try await tree.stampedList(in: "9")
        #expect(listing == FolderListing(folders: [], files: []) && tree.isCurrent(stamp))
        try await store.upload("c", group: "9")
        #expect(!tree.isCurrent(stamp))
    }

    @Test("a stamp runs out when one of the folder's own files expires, not before and not for other folders")
    func endsAtExpiry() async throws {
        let store = try TestStore(settings: .with(.group) { $0.fileDays = 1 })
        let tree = store.tree
        let sub = try await tree.createFolder(named: "sub", in: "1", by: alice)
        let kept = try await store.upload("kept", name: "k", folder: sub.id)
        try await tree.makePermanent(kept.id, of: .group("1"))
        try await store.upload("short-lived")
        let (_, root) = try await tree.stampedList(in: "1")
        let (_, folder) = try await tree.stampedList(sub.id, in: "1")
        store.clock.advance(by: 86_399)
        #expect(tree.isCurrent(root) && tree.isCurrent(folder))
        store.clock.advance(by: 1)
        #expect(!tree.isCurrent(root))
        #expect(tree.isCurrent(folder))
        #expect(try await tree.list(in: "1").files.isEmpty)
    }

    @Test("a folder's next expiry and its expired count are range seeks in that folder, not walks of the store")
    func expiryQueriesSeek() async throws {
        let store = try TestStore(settings: .with(.group) { $0.fileDays = 1 })
        try await store.upload("x")
        let plans = try await store.tree.read { db in
            try [
                "SELECT dead_time FROM file INDEXED BY file_folder_expiry WHERE space_id = 1 AND folder_id = '/' "
                    + "AND dead_time > 0 AND dead_time > 5 ORDER BY dead_time LIMIT 1",
                "SELECT COUNT(*) FROM file INDEXED BY file_folder_expiry WHERE space_id = 1 AND folder_id = '/' "
                    + "AND dead_time > 0 AND dead_time <= 5",
            ].map { sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined()
            }
        }
        for plan in plans {
            #expect(
                plan.contains("SEARCH file USING COVERING INDEX file_folder_expiry (space_id=? AND folder_id=?"),
                "\(plan)")
        }
    }
}
