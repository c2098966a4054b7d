import Testing

@testable import TrefoilCore

/// Pages past the middle of a folder are read from the other end of the index; these pin that
/// every page is still exactly the matching slice of the whole, newest-first sequence.
@Suite("Paging from either end of a folder")
struct PagingTests {
    let alice = Member(id: "42", name: "Alice")

    /// Files newest first, ties by id: the order docs/onebot11.md §3.3 gives listings.
    func newestFirst(_ files: [StoredFile]) -> [FileID] {
        files.sorted {
            $0.uploadTime != $1.uploadTime ? $0.uploadTime > $1.uploadTime : $0.id.rawValue < $1.id.rawValue
        }.map(\.id)
    }

    func expectEveryPage(
        of store: TestStore, folders: [String], files: [FileID], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let total = folders.count + files.count
        for limit in [1, 3, 7, 100] {
            for offset in 0...(total + 1) {
                let page = try await store.tree.list(in: "1", limit: limit, offset: offset)
                let end = min(total, offset + limit)
                let wanted = offset < end ? Array(offset..<end) : []
                let wantedFolders = wanted.filter { $0 < folders.count }.map { folders[$0] }
                let wantedFiles = wanted.filter { $0 >= folders.count }.map { files[$0 - folders.count] }
                #expect(page.folders.map(\.name) == wantedFolders, "limit \(limit) offset \(offset)")
                #expect(page.files.map(\.id) == wantedFiles, "limit \(limit) offset \(offset)")
            }
        }
    }

    @Test("with folders, ties and distinct times, every page is the slice of the whole listing")
    func everyPage() async throws {
        let store = try TestStore()
        for name in ["b", "a"] { _ = try await store.tree.createFolder(named: name, in: "1", by: alice) }
        var uploaded: [StoredFile] = []
        for i in 0..<25 {
            if i % 3 == 0 { store.clock.advance(by: 1) }
            uploaded.append(try await store.upload("content \(i)", name: "f\(i)"))
        }
        let files = newestFirst(uploaded)
        #expect(try await store.tree.list(in: "1").files.map(\.id) == files)
        try await expectEveryPage(of: store, folders: ["a", "b"], files: files)
    }

    @Test("expired files not yet purged are skipped by pages from either end, and after the purge")
    func expiredNotPurged() async throws {
        let store = try TestStore(settings: .with(.group) { $0.fileDays = 1 })
        var early: [StoredFile] = []
        for i in 0..<10 { early.append(try await store.upload("early \(i)", name: "e\(i)")) }
        store.clock.advance(by: 100)
        var late: [StoredFile] = []
        for i in 0..<10 { late.append(try await store.upload("late \(i)", name: "l\(i)")) }
        let kept = [early[2], early[5], early[9]]
        for file in kept { try await store.tree.makePermanent(file.id, of: .group("1")) }
        // The other seven early files are now expired; the janitor has not run.
        store.clock.advance(by: 86_400 - 100)
        let live = newestFirst(late + kept)
        #expect(try await store.tree.list(in: "1").files.map(\.id) == live)
        try await expectEveryPage(of: store, folders: [], files: live)

        #expect(try await store.tree.expireFiles() == 7)
        try await expectEveryPage(of: store, folders: [], files: live)
    }
}
