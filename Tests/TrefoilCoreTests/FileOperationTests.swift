import Testing
import TrefoilTestSupport

@testable import TrefoilCore

@Suite("File operations and listings")
struct FileOperationTests {
    let alice = Member(id: "42", name: "Alice")

    @Test("deleting a file hides it, frees its space and its blob; deleting again is FILE_NOT_FOUND")
    func deleteFile() async throws {
        let store = try TestStore()
        let file = try await store.upload("bye")
        try await store.tree.deleteFile(file.id, of: .group("1"))
        #expect(await trefoilError { _ = try await store.tree.file(file.id, of: .group("1")) } == .fileNotFound)
        #expect(try await store.tree.fileSystemInfo(of: .group("1")).fileCount == 0)
        #expect(try await store.tree.fileSystemInfo(of: .group("1")).usedSpace == 0)
        #expect(store.blobFiles().isEmpty)
        #expect(await trefoilError { try await store.tree.deleteFile(file.id, of: .group("1")) } == .fileNotFound)
    }

    @Test("a file cannot be deleted, renamed or moved through another group")
    func isolatedByGroup() async throws {
        let store = try TestStore()
        let file = try await store.upload("mine", group: "1")
        #expect(await trefoilError { try await store.tree.deleteFile(file.id, of: .group("2")) } == .fileNotFound)
        #expect(
            await trefoilError { try await store.tree.renameFile(file.id, of: .group("2"), to: "x") } == .fileNotFound)
        #expect(await trefoilError { try await store.tree.moveFile(file.id, in: "2", to: .root) } == .fileNotFound)
        #expect(try await store.tree.file(file.id, of: .group("1")).name == "a.txt")
    }

    @Test("moving a file changes its folder and both folders' counts")
    func moveFile() async throws {
        let store = try TestStore()
        let a = try await store.tree.createFolder(named: "a", in: "1", by: alice)
        let b = try await store.tree.createFolder(named: "b", in: "1", by: alice)
        let file = try await store.upload("m", folder: a.id)
        store.clock.advance(by: 3)
        try await store.tree.moveFile(file.id, in: "1", to: b.id, expectedParent: a.id)
        let moved = try await store.tree.file(file.id, of: .group("1"))
        #expect(moved.folderID == b.id)
        #expect(moved.modifyTime == store.clock.now)
        #expect(try await store.tree.folder(a.id, in: "1").fileCount == 0)
        #expect(try await store.tree.folder(b.id, in: "1").fileCount == 1)
        try await store.tree.moveFile(file.id, in: "1", to: .root)
        #expect(try await store.tree.list(in: "1").files.map(\.id) == [file.id])
    }

    @Test("a move checks the current folder when given and the target always")
    func moveChecks() async throws {
        let store = try TestStore()
        let a = try await store.tree.createFolder(named: "a", in: "1", by: alice)
        let file = try await store.upload("m")
        #expect(
            await trefoilError { try await store.tree.moveFile(file.id, in: "1", to: a.id, expectedParent: a.id) }
                == .fileNotFound)
        #expect(
            await trefoilError { try await store.tree.moveFile(file.id, in: "1", to: FolderID("/no")) }
                == .folderNotFound
        )
        #expect(try await store.tree.file(file.id, of: .group("1")).folderID == .root)
    }

    @Test("renaming a file applies the file-name rules")
    func renameFile() async throws {
        let store = try TestStore()
        let file = try await store.upload("r")
        try await store.tree.renameFile(file.id, of: .group("1"), to: "new/name.txt")
        #expect(try await store.tree.file(file.id, of: .group("1")).name == "new_name.txt")
        let error = await trefoilError { try await store.tree.renameFile(file.id, of: .group("1"), to: " ") }
        #expect(error == .invalid(.fileName, "empty after trimming"))
    }

    @Test("a listing shows folders by name, then files newest first, ties by id")
    func listingOrder() async throws {
        let store = try TestStore()
        for name in ["b", "a", "C"] { _ = try await store.tree.createFolder(named: name, in: "1", by: alice) }
        let old = try await store.upload("1", name: "old")
        store.clock.advance(by: 10)
        let tie1 = try await store.upload("2", name: "tie1")
        let tie2 = try await store.upload("3", name: "tie2")
        let listing = try await store.tree.list(in: "1")
        #expect(listing.folders.map(\.name) == ["C", "a", "b"])
        let ties = [tie1.id, tie2.id].sorted { $0.rawValue < $1.rawValue }
        #expect(listing.files.map(\.id) == ties + [old.id])
    }

    @Test("file_count and start_index page the combined sequence of folders then files")
    func paging() async throws {
        let store = try TestStore()
        for name in ["f1", "f2", "f3"] { _ = try await store.tree.createFolder(named: name, in: "1", by: alice) }
        var files: [StoredFile] = []
        for i in 0..<4 {
            store.clock.advance(by: 1)
            files.insert(try await store.upload("\(i)", name: "file\(i)"), at: 0)
        }
        let page1 = try await store.tree.list(in: "1", limit: 2, offset: 0)
        #expect(page1.folders.map(\.name) == ["f1", "f2"])
        #expect(page1.files.isEmpty)
        let page2 = try await store.tree.list(in: "1", limit: 2, offset: 2)
        #expect(page2.folders.map(\.name) == ["f3"])
        #expect(page2.files.map(\.id) == [files[0].id])
        let page3 = try await store.tree.list(in: "1", limit: 2, offset: 4)
        #expect(page3.folders.isEmpty)
        #expect(page3.files.map(\.id) == [files[1].id, files[2].id])
        let tail = try await store.tree.list(in: "1", limit: 100, offset: 6)
        #expect(tail.files.map(\.id) == [files[3].id])
        #expect(try await store.tree.list(in: "1", limit: 10, offset: 70).files.isEmpty)
        #expect(try await store.tree.list(in: "1", limit: 0, offset: 0) == FolderListing(folders: [], files: []))
    }

    @Test("the root of a group never written to lists empty; a missing folder is FOLDER_NOT_FOUND")
    func emptyAndMissing() async throws {
        let store = try TestStore()
        #expect(try await store.tree.list(in: "99") == FolderListing(folders: [], files: []))
        #expect(await trefoilError { _ = try await store.tree.list(FolderID("/x"), in: "99") } == .folderNotFound)
        #expect(
            try await store.tree.fileSystemInfo(of: .group("99"))
                == FileSystemInfo(fileCount: 0, limitCount: 10_000, usedSpace: 0, totalSpace: 10 << 30))
    }

    @Test("a folder's file count is the files directly inside it")
    func folderFileCount() async throws {
        let store = try TestStore()
        let a = try await store.tree.createFolder(named: "a", in: "1", by: alice)
        let inner = try await store.tree.createFolder(named: "inner", in: "1", parent: a.id, by: alice)
        try await store.upload("1", folder: a.id)
        try await store.upload("2", folder: a.id)
        try await store.upload("3", folder: inner.id)
        #expect(try await store.tree.list(in: "1").folders.first?.fileCount == 2)
        #expect(try await store.tree.list(a.id, in: "1").folders.first?.fileCount == 1)
    }

    @Test("expired files disappear from lookups at once and from the store at the janitor's pass")
    func expiry() async throws {
        let store = try TestStore(settings: .with(.group) { $0.fileDays = 1 })
        let file = try await store.upload("short-lived")
        let keeper = try await store.upload("kept", name: "k")
        try await store.tree.makePermanent(keeper.id, of: .group("1"))
        store.clock.advance(by: 86_400)
        #expect(await trefoilError { _ = try await store.tree.file(file.id, of: .group("1")) } == .fileNotFound)
        #expect(try await store.tree.list(in: "1").files.map(\.id) == [keeper.id])
        #expect(try await store.tree.expireFiles() == 1)
        #expect(try await store.tree.fileSystemInfo(of: .group("1")).fileCount == 1)
        #expect(store.blobFiles() == [keeper.digests.sha256])
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
    }

    @Test("downloads are counted in memory and reach the file when flushed, every file's count in one flush")
    func downloadCount() async throws {
        let store = try TestStore()
        let file = try await store.upload("d")
        let other = try await store.upload("e")
        store.tree.recordDownload(of: file.id)
        store.tree.recordDownload(of: file.id)
        store.tree.recordDownload(of: other.id)
        #expect(try await store.tree.file(file.id).downloadTimes == 0)
        #expect(try await store.tree.flushDownloadCounts() == 2)
        #expect(try await store.tree.file(file.id).downloadTimes == 2)
        #expect(try await store.tree.file(other.id).downloadTimes == 1)
        #expect(try await store.tree.flushDownloadCounts() == 0)
    }

    @Test("ids, names, folders and counters survive a restart")
    func persistence() async throws {
        let store = try TestStore()
        let folder = try await store.tree.createFolder(named: "keep", in: "3", by: alice)
        let file = try await store.upload("persist", group: "3", folder: folder.id)
        let listing = try await store.tree.list(folder.id, in: "3")
        let info = try await store.tree.fileSystemInfo(of: .group("3"))

        let again = try store.reopened()
        #expect(try await again.tree.file(file.id, of: .group("3")) == file)
        #expect(try await again.tree.list(folder.id, in: "3") == listing)
        #expect(try await again.tree.fileSystemInfo(of: .group("3")) == info)
        #expect(readFile(again.tree.blobPath(of: file)!) == Array("persist".utf8))
    }
}
