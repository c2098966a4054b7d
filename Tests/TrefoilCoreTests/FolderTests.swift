import Testing

@testable import TrefoilCore

@Suite("Folders")
struct FolderTests {
    let alice = Member(id: "42", name: "Alice")

    @Test("creating a folder returns it with its parent, depth, creator and times")
    func createFolder() async throws {
        let store = try TestStore()
        let folder = try await store.tree.createFolder(named: " Docs ", in: "5", by: alice)
        #expect(folder.name == "Docs")
        #expect(folder.parentID == .root)
        #expect(folder.depth == 1)
        #expect(folder.creator == "42")
        #expect(folder.creatorName == "Alice")
        #expect(folder.createTime == store.clock.now)
        #expect(folder.fileCount == 0)
        #expect(folder.owner == .group("5"))
        #expect(folder.id.rawValue.wholeMatch(of: /\/[0-9a-f-]{36}/) != nil)
        #expect(try await store.tree.folder(folder.id, in: "5") == folder)
    }

    @Test("folder names are unique per parent, case-sensitively: NAME_CONFLICT")
    func nameConflict() async throws {
        let store = try TestStore()
        let docs = try await store.tree.createFolder(named: "Docs", in: "1", by: alice)
        #expect(
            await trefoilError { _ = try await store.tree.createFolder(named: "Docs", in: "1", by: alice) }
                == .nameConflict)
        _ = try await store.tree.createFolder(named: "docs", in: "1", by: alice)
        _ = try await store.tree.createFolder(named: "Docs", in: "1", parent: docs.id, by: alice)
        _ = try await store.tree.createFolder(named: "Docs", in: "2", by: alice)
    }

    @Test("folder names with / \\ NUL or control characters are refused with BAD_PARAM")
    func badFolderNames() async throws {
        let store = try TestStore()
        for name in ["a/b", "a\\b", "a\u{0}b", "a\u{7}b", "", "  "] {
            let error = await trefoilError { _ = try await store.tree.createFolder(named: name, in: "1", by: alice) }
            #expect(error?.key == "BAD_PARAM", "\(name.debugDescription)")
        }
        let error = await trefoilError { _ = try await store.tree.createFolder(named: "a/b", in: "1", by: alice) }
        #expect(error == .invalid(.folderName, "a folder name cannot contain /"))
        #expect(try await store.tree.list(in: "1").folders.isEmpty)
    }

    @Test("nesting stops at max_folder_depth with FOLDER_TOO_DEEP")
    func depthLimit() async throws {
        let store = try TestStore(settings: .init(maxFolderDepth: 3))
        var parent = FolderID.root
        for depth in 1...3 {
            let folder = try await store.tree.createFolder(named: "d\(depth)", in: "1", parent: parent, by: alice)
            #expect(folder.depth == depth)
            parent = folder.id
        }
        let error = await trefoilError {
            _ = try await store.tree.createFolder(named: "d4", in: "1", parent: parent, by: alice)
        }
        #expect(error == .folderTooDeep)
    }

    @Test("a missing parent is FOLDER_NOT_FOUND, also in a group never written to")
    func missingParent() async throws {
        let store = try TestStore()
        let error = await trefoilError {
            _ = try await store.tree.createFolder(named: "x", in: "1", parent: FolderID("/missing"), by: alice)
        }
        #expect(error == .folderNotFound)
        _ = try await store.tree.createFolder(named: "x", in: "1", by: alice)
        let again = await trefoilError {
            _ = try await store.tree.createFolder(named: "x", in: "1", parent: FolderID("/missing"), by: alice)
        }
        #expect(again == .folderNotFound)
    }

    @Test("a folder id of another group is not found")
    func folderIsolatedByGroup() async throws {
        let store = try TestStore()
        let folder = try await store.tree.createFolder(named: "x", in: "1", by: alice)
        #expect(await trefoilError { _ = try await store.tree.folder(folder.id, in: "2") } == .folderNotFound)
        #expect(await trefoilError { try await store.upload("x", group: "2", folder: folder.id) } == .folderNotFound)
    }

    @Test("renaming a folder changes its name and modify time; conflicts and the root are refused")
    func renameFolder() async throws {
        let store = try TestStore()
        let a = try await store.tree.createFolder(named: "a", in: "1", by: alice)
        _ = try await store.tree.createFolder(named: "b", in: "1", by: alice)
        store.clock.advance(by: 5)
        try await store.tree.renameFolder(a.id, in: "1", to: "c")
        let renamed = try await store.tree.folder(a.id, in: "1")
        #expect(renamed.name == "c")
        #expect(renamed.modifyTime == store.clock.now)
        #expect(await trefoilError { try await store.tree.renameFolder(a.id, in: "1", to: "b") } == .nameConflict)
        try await store.tree.renameFolder(a.id, in: "1", to: "c")  // same name: no conflict with itself
        #expect(await trefoilError { try await store.tree.renameFolder(.root, in: "1", to: "r") }?.key == "BAD_PARAM")
        #expect(
            await trefoilError { try await store.tree.renameFolder(FolderID("/zz"), in: "1", to: "r") }
                == .folderNotFound
        )
        #expect(await trefoilError { try await store.tree.renameFolder(a.id, in: "2", to: "r") } == .folderNotFound)
    }

    @Test("deleting a folder removes everything inside it and moves every counter")
    func deleteFolderRecursive() async throws {
        let store = try TestStore()
        let top = try await store.tree.createFolder(named: "top", in: "1", by: alice)
        let sub = try await store.tree.createFolder(named: "sub", in: "1", parent: top.id, by: alice)
        let inTop = try await store.upload("top file", folder: top.id)
        let inSub = try await store.upload("sub file", folder: sub.id)
        let outside = try await store.upload("outside")
        #expect(store.blobFiles().count == 3)

        try await store.tree.deleteFolder(top.id, in: "1")

        #expect(await trefoilError { _ = try await store.tree.folder(sub.id, in: "1") } == .folderNotFound)
        #expect(await trefoilError { _ = try await store.tree.file(inTop.id, of: .group("1")) } == .fileNotFound)
        #expect(await trefoilError { _ = try await store.tree.file(inSub.id, of: .group("1")) } == .fileNotFound)
        let info = try await store.tree.fileSystemInfo(of: .group("1"))
        #expect(info.fileCount == 1)
        #expect(info.usedSpace == outside.size)
        #expect(store.blobFiles() == [outside.digests.sha256])
        #expect(try await store.tree.checkConsistency(repair: false).problems == [])
        #expect(await trefoilError { try await store.tree.deleteFolder(top.id, in: "1") } == .folderNotFound)
        #expect(await trefoilError { try await store.tree.deleteFolder(.root, in: "1") }?.key == "BAD_PARAM")
    }
}
