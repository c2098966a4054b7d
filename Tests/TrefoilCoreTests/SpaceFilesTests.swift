import GRDB
import Testing

@testable import TrefoilCore

/// A space's files as one flat list across its folders, for faces that have no folders (a group's shared files
/// as a chat service lists them).
@Suite("A space's files across folders")
struct SpaceFilesTests {
    let alice = Member(id: "42", name: "Alice")

    @Test("a space's live files from every folder, newest first, ties by id, paged by limit and offset")
    func flatListing() async throws {
        let store = try TestStore()
        let a = try await store.tree.createFolder(named: "a", in: "1", by: alice)
        let b = try await store.tree.createFolder(named: "b", in: "1", parent: a.id, by: alice)
        var uploaded: [StoredFile] = []
        for i in 0..<14 {
            if i % 3 == 0 { store.clock.advance(by: 1) }
            let folder = [FolderID.root, a.id, b.id][i % 3]
            uploaded.append(try await store.upload("content \(i)", name: "f\(i)", folder: folder))
        }
        try await store.upload("another group's", group: "2")
        let newestFirst = uploaded.sorted {
            $0.uploadTime != $1.uploadTime ? $0.uploadTime > $1.uploadTime : $0.id.rawValue < $1.id.rawValue
        }
        #expect(try await store.tree.files(of: .group("1"), limit: 100, offset: 0) == newestFirst)
        for limit in [1, 4, 14] {
            for offset in 0...15 {
                let page = try await store.tree.files(of: .group("1"), limit: limit, offset: offset)
                let end = min(14, offset + limit)
                #expect(
                    page == (offset < end ? Array(newestFirst[offset..<end]) : []), "limit \(limit) offset \(offset)")
            }
        }
        #expect(try await store.tree.files(of: .group("1"), limit: 0, offset: 0) == [])
        #expect(try await store.tree.files(of: .group("1"), limit: -1, offset: 0) == [])
        #expect(try await store.tree.files(of: .group("1"), limit: 2, offset: -5) == Array(newestFirst.prefix(2)))
        #expect(try await store.tree.files(of: .group("3"), limit: 10, offset: 0) == [])
        #expect(try await store.tree.files(of: .user("1"), limit: 10, offset: 0) == [])
    }

    @Test("expired files are left out before the janitor's pass")
    func expiredLeftOut() async throws {
        let store = try TestStore(settings: .with(.app) { $0.fileDays = 1 })
        let owner = Owner(.app, "a")
        let first = try await store.tree.upload(chunks([1]), name: "old", to: owner, by: alice)
        store.clock.advance(by: 3600)
        let second = try await store.tree.upload(chunks([2]), name: "new", to: owner, by: alice)
        #expect(try await store.tree.files(of: owner, limit: 10, offset: 0) == [second, first])
        store.clock.advance(by: 86_400 - 3600)
        #expect(try await store.tree.files(of: owner, limit: 10, offset: 0) == [second])
    }

    @Test("the flat listing pages over a covering index of the space's files, not over the rows")
    func coveringIndex() async throws {
        let store = try TestStore()
        try await store.upload("x")
        let plan = try await store.tree.read { db in
            try String.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN SELECT id FROM file INDEXED BY file_space_recent
                    WHERE space_id = 1 AND (dead_time = 0 OR dead_time > 5)
                    ORDER BY upload_time DESC, id LIMIT 10 OFFSET 5
                    """, adapter: SuffixRowAdapter(fromIndex: 3))
        }
        #expect(plan == ["SEARCH file USING COVERING INDEX file_space_recent (space_id=?)"])
    }
}
