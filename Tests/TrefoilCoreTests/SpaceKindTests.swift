import Foundation
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

/// Spaces of every kind, owned by text ids, each kind with its own quota and retention.
@Suite("Space kinds")
struct SpaceKindTests {
    @Test("an owner id is any text: the same id in two kinds names two spaces")
    func textOwners() async throws {
        let store = try TestStore()
        let inApp = try await store.tree.upload(chunks([1]), name: "a", to: Owner(.app, "u1"), by: Member(id: "u1"))
        let inUser = try await store.tree.upload(chunks([2]), name: "b", to: .user("u1"), by: Member(id: "u1"))
        #expect(inApp.owner == Owner(.app, "u1"))
        #expect(inApp.uploader == "u1")
        #expect(await trefoilError { _ = try await store.tree.file(inApp.id, of: .user("u1")) } == .fileNotFound)
        #expect(try await store.tree.file(inUser.id, of: .user("u1")) == inUser)
        #expect(try await store.tree.fileSystemInfo(of: Owner(.app, "u1")).fileCount == 1)
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("numeric owner ids list in numeric order, not as text: 9 before 10; other ids after them")
    func ownerOrder() async throws {
        let store = try TestStore()
        for group in ["10", "u1", "9", "-3", "100", "007", "2"] { try await store.upload("x", group: group) }
        #expect(try await store.tree.owners(of: .group) == ["-3", "2", "9", "10", "100", "007", "u1"])
        #expect(try await store.tree.owners(of: .user) == [])
    }

    @Test("an empty owner id or one with a NUL is refused before anything is stored")
    func badOwnerIDs() async throws {
        let store = try TestStore()
        for id in ["", "1\0x"] {
            let error = await trefoilError {
                _ = try await store.tree.upload(chunks([1]), name: "n", to: .group(id), by: Member(id: "1"))
            }
            #expect(error == .invalid(.ownerID, id.isEmpty ? "must not be empty" : "must not contain a NUL"))
            #expect(await trefoilError { try await store.tree.precheck(owner: .group(id), folder: .root) } == error)
        }
        try await store.upload("x", group: "1")
        #expect(
            await trefoilError {
                _ = try await store.tree.createFolder(named: "f", in: "1\0x", by: Member(id: "1"))
            } == .invalid(.ownerID, "must not contain a NUL"))
        #expect(try await store.tree.list(in: "1\0x") == FolderListing(folders: [], files: []))
        #expect(try await store.tree.owners(of: .group) == ["1"])
    }

    @Test("each kind has its own quota and file count limit, checked for every kind", arguments: SpaceKind.allCases)
    func quotaPerKind(kind: SpaceKind) async throws {
        var settings = FileTree.Settings()
        settings[kind] = FileTree.SpaceLimits(totalSpace: 4, fileLimit: 2, fileDays: 0)
        let store = try TestStore(settings: settings)
        let owner = Owner(kind, "o")
        func upload(_ text: String) async throws {
            _ = try await store.tree.upload(chunks(Array(text.utf8)), name: "f", to: owner, by: Member(id: "o"))
        }
        try await upload("abc")
        #expect(await trefoilError { try await upload("de") } == .quotaExceeded)
        try await upload("d")
        #expect(await trefoilError { try await upload("") } == .fileCountLimit)
        #expect(await trefoilError { try await store.tree.precheck(owner: owner, folder: .root) } == .fileCountLimit)
        #expect(
            try await store.tree.fileSystemInfo(of: owner)
                == FileSystemInfo(fileCount: 2, limitCount: 2, usedSpace: 4, totalSpace: 4))
        // Another kind keeps its defaults.
        let other = SpaceKind.allCases.first { $0 != kind }!
        for index in 0..<3 {
            _ = try await store.tree.upload(
                chunks([1, 2, 3]), name: "\(index)", to: Owner(other, "o"), by: Member(id: "o"))
        }
    }

    @Test("each kind has its own retention", arguments: SpaceKind.allCases)
    func retentionPerKind(kind: SpaceKind) async throws {
        let store = try TestStore(settings: .with(kind) { $0.fileDays = 3 })
        let file = try await store.tree.upload(chunks([1]), name: "f", to: Owner(kind, "o"), by: Member(id: "o"))
        #expect(file.lifetime == .temporary)
        #expect(file.deadTime == store.clock.now + 3 * 86_400)
        for other in SpaceKind.allCases where other != kind {
            let kept = try await store.tree.upload(
                chunks([2]), name: "f", to: Owner(other, "o"), by: Member(id: "o"))
            let days = FileTree.Settings()[other].fileDays
            #expect(kept.lifetime == (days == 0 ? .permanent : .temporary))
            #expect(kept.deadTime == (days == 0 ? 0 : store.clock.now + Int64(days) * 86_400))
        }
    }

    @Test("the defaults keep today's rules: groups 10 GiB, 10,000 files, kept; users kept 7 days, no quota in reach")
    func defaults() {
        let settings = FileTree.Settings()
        #expect(settings.group == FileTree.SpaceLimits(totalSpace: 10 << 30, fileLimit: 10_000, fileDays: 0))
        #expect(settings.user == FileTree.SpaceLimits(totalSpace: 1 << 50, fileLimit: 1_000_000_000, fileDays: 7))
    }

    @Test("only group spaces have folders: other kinds take files at the root only")
    func foldersOnlyInGroups() async throws {
        let store = try TestStore()
        let folder = try await store.tree.createFolder(named: "f", in: "1", by: Member(id: "1"))
        for kind in SpaceKind.allCases where kind != .group {
            let error = await trefoilError {
                _ = try await store.tree.upload(
                    chunks([1]), name: "n", to: Owner(kind, "1"), folder: folder.id, by: Member(id: "1"))
            }
            #expect(error == .folderNotFound)
        }
    }
}
