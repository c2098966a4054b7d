import Foundation
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

/// `FileTree.link`: a file of one space added to another without copying its bytes.
@Suite("Links between spaces", .timeLimit(.minutes(1)))
struct LinkTests {
    let alice = Member(id: "u1", name: "Alice")
    let bob = Member(id: "u2", name: "Bob")

    @Test("a link is a new file of the target space on the source's blob: one blob on disk, no temp file, same bytes")
    func sharesTheBlob() async throws {
        let store = try TestStore()
        let source = try await store.upload("forwarded bytes", name: "orig.txt", group: "1")
        let linked = try await store.tree.link(source, to: .user("u2"), by: bob)

        #expect(linked.id != source.id)
        #expect(linked.owner == .user("u2"))
        #expect(linked.folderID == .root)
        #expect(linked.name == "orig.txt")
        #expect(linked.size == 15)
        #expect(linked.digests == source.digests)
        #expect(linked.uploader == "u2")
        #expect(linked.uploaderName == "Bob")
        #expect(linked.uploadTime == store.clock.now)
        #expect(linked.options == FileOptions())
        #expect(try await store.tree.file(linked.id, of: .user("u2")) == linked)
        #expect(store.blobFiles() == [source.digests.sha256])
        #expect(store.tempFiles() == [])
        #expect(try await store.refCount(of: source.digests.sha256) == 2)
        #expect(readFile(store.tree.blobPath(of: linked)!) == Array("forwarded bytes".utf8))
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("a link reads and writes no byte: it commits with the source's blob file gone from disk")
    func noByteTouched() async throws {
        let store = try TestStore()
        let source = try await store.upload("bytes nobody reads", group: "1")
        try FileManager.default.removeItem(atPath: store.tree.blobPath(of: source)!)
        let linked = try await store.tree.link(source, to: .user("u2"), by: bob)
        #expect(linked.digests == source.digests)
        #expect(store.blobFiles() == [])
        #expect(store.tempFiles() == [])
        #expect(try await store.refCount(of: source.digests.sha256) == 2)
    }

    @Test("a link takes the name, folder and options it is given; the name follows the file-name rules")
    func nameFolderOptions() async throws {
        let store = try TestStore()
        let source = try await store.upload("x", name: "orig.txt", group: "1")
        let folder = try await store.tree.createFolder(named: "in", in: "2", by: bob)
        let options = FileOptions(secretRequired: true, previewBox: PreviewBox(width: 10, height: 20))
        let linked = try await store.tree.link(
            source, to: .group("2"), folder: folder.id, name: "  a/b.txt ", by: bob, options: options)
        #expect(linked.name == "a_b.txt")
        #expect(linked.folderID == folder.id)
        #expect(linked.options == options)
        #expect(try await store.tree.list(folder.id, in: "2").files == [linked])
        #expect(try await store.tree.folder(folder.id, in: "2").fileCount == 1)

        #expect(
            await trefoilError { _ = try await store.tree.link(source, to: .user("u2"), folder: folder.id, by: bob) }
                == .folderNotFound)
        #expect(
            await trefoilError {
                _ = try await store.tree.link(source, to: .group("2"), folder: FolderID("/nope"), by: bob)
            } == .folderNotFound)
        #expect(
            await trefoilError { _ = try await store.tree.link(source, to: .group("2"), name: " ", by: bob) }
                == .invalid(.fileName, "empty after trimming"))
        #expect(
            await trefoilError { _ = try await store.tree.link(source, to: .group(""), by: bob) }
                == .invalid(.ownerID, "must not be empty"))
        #expect(try await store.tree.fileSystemInfo(of: .group("2")).fileCount == 1)
    }

    @Test("a link counts toward the target space's quota and file count; a refused one stores nothing")
    func targetLimits() async throws {
        var settings = FileTree.Settings.with(.user) { $0.totalSpace = 20 }
        settings.app.fileLimit = 2
        let store = try TestStore(settings: settings)
        let source = try await store.upload("8 bytes!", group: "1")

        _ = try await store.tree.link(source, to: .user("u2"), by: bob)
        _ = try await store.tree.link(source, to: .user("u2"), name: "again", by: bob)
        #expect(
            try await store.tree.fileSystemInfo(of: .user("u2"))
                == FileSystemInfo(fileCount: 2, limitCount: 1_000_000_000, usedSpace: 16, totalSpace: 20))
        #expect(
            await trefoilError { _ = try await store.tree.link(source, to: .user("u2"), by: bob) } == .quotaExceeded)
        #expect(try await store.tree.fileSystemInfo(of: .user("u2")).usedSpace == 16)

        let app = Owner(.app, "acme")
        _ = try await store.tree.link(source, to: app, by: bob)
        _ = try await store.tree.link(source, to: app, by: bob)
        #expect(await trefoilError { _ = try await store.tree.link(source, to: app, by: bob) } == .fileCountLimit)
        #expect(try await store.tree.fileSystemInfo(of: app).fileCount == 2)
        #expect(
            try await store.tree.fileSystemInfo(of: .group("1"))
                == FileSystemInfo(fileCount: 1, limitCount: 10_000, usedSpace: 8, totalSpace: 10 << 30))
        #expect(try await store.refCount(of: source.digests.sha256) == 5)
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("a link expires by the retention of the target's kind, not the source's")
    func targetRetention() async throws {
        let store = try TestStore(settings: .with(.app) { $0.fileDays = 7 })
        let permanent = try await store.upload("kept", group: "1")
        let temporary = try await store.tree.link(permanent, to: Owner(.app, "acme"), by: bob)
        #expect(temporary.lifetime == .temporary)
        #expect(temporary.deadTime == store.clock.now + 7 * 86_400)

        let back = try await store.tree.link(temporary, to: .group("2"), by: bob)
        #expect(back.lifetime == .permanent)
        #expect(back.deadTime == 0)

        store.clock.advance(by: 7 * 86_400)
        #expect(try await store.tree.expireFiles() == 1)
        #expect(try await store.tree.file(back.id) == back)
        #expect(readFile(store.tree.blobPath(of: back)!) == Array("kept".utf8))
    }

    @Test("the source deleted, its link still downloads; both deleted, the blob is collected")
    func blobLivesWhileReferenced() async throws {
        let store = try TestStore()
        let source = try await store.upload("shared", group: "1")
        let linked = try await store.tree.link(source, to: .user("u2"), by: bob)

        try await store.tree.deleteFile(source.id, of: .group("1"))
        #expect(try await store.tree.file(linked.id) == linked)
        #expect(readFile(store.tree.blobPath(of: linked)!) == Array("shared".utf8))
        #expect(store.blobFiles() == [source.digests.sha256])
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())

        try await store.tree.deleteFile(linked.id, of: .user("u2"))
        #expect(store.blobFiles() == [])
        #expect(try await store.refCount(of: source.digests.sha256) == nil)
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("a source deleted, expired or named with another owner is fileNotFound, and nothing is stored")
    func sourceMustBeLive() async throws {
        let store = try TestStore(settings: .with(.app) { $0.fileDays = 1 })
        let deleted = try await store.upload("gone", group: "1")
        try await store.tree.deleteFile(deleted.id, of: .group("1"))
        let expiring = try await store.tree.upload(
            chunks(Array("soon".utf8)), name: "s", to: Owner(.app, "a"), by: alice)
        var misnamed = try await store.upload("here", group: "1")
        misnamed.owner = .group("2")
        store.clock.advance(by: 86_400)

        for source in [deleted, expiring, misnamed] {
            #expect(
                await trefoilError { _ = try await store.tree.link(source, to: .user("u2"), by: bob) } == .fileNotFound)
        }
        #expect(try await store.tree.fileSystemInfo(of: .user("u2")).fileCount == 0)
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("a link publishes fileStored after its commit, with the new file and the caller's origin")
    func publishesFileStored() async throws {
        let store = try TestStore()
        let source = try await store.tree.upload(chunks([1, 2, 3]), name: "chat.bin", to: .user("u1"), by: alice)
        let events = store.tree.events.subscribe()
        let linked = try await EventOrigin.$current.withValue(EventOrigin(id: 9)) {
            try await store.tree.link(source, to: .group("7"), by: alice)
        }
        var iterator = events.makeAsyncIterator()
        let event = await iterator.next()
        #expect(event == .fileStored(linked, origin: EventOrigin(id: 9)))
        #expect(event?.owner == .group("7"))
        #expect(try await store.tree.list(in: "7").files == [linked])
    }
}
