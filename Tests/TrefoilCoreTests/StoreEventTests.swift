import Foundation
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

/// The store's own events, each with its space, published after the commit that made the change.
@Suite("Store events", .timeLimit(.minutes(1)))
struct StoreEventTests {
    let alice = Member(id: "42", name: "Alice")

    @Test("an upload publishes fileStored with the stored file, its space and no origin when none was set")
    func fileStored() async throws {
        let store = try TestStore()
        let events = store.tree.events.subscribe()
        let file = try await store.upload("e", group: "5")
        var iterator = events.makeAsyncIterator()
        let event = await iterator.next()
        #expect(event == .fileStored(file, origin: nil))
        #expect(event?.owner == .group("5"))
        #expect(event?.origin == nil)
    }

    @Test("the fileStored event carries the origin its caller set around the upload")
    func fileStoredOrigin() async throws {
        let store = try TestStore()
        let events = store.tree.events.subscribe()
        let file = try await EventOrigin.$current.withValue(EventOrigin(id: 42)) { try await store.upload("o") }
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next() == .fileStored(file, origin: EventOrigin(id: 42)))
    }

    @Test("a private upload's fileStored event names the user's space")
    func privateFileStored() async throws {
        let store = try TestStore()
        let events = store.tree.events.subscribe()
        let file = try await store.tree.upload(chunks([1]), name: "p", to: .user("u1"), by: Member(id: "u1"))
        var iterator = events.makeAsyncIterator()
        let event = await iterator.next()
        #expect(event == .fileStored(file, origin: nil))
        #expect(event?.owner == .user("u1"))
    }

    @Test("deleting a file publishes fileDeleted with the file as it was, in its space, with the caller's origin")
    func fileDeleted() async throws {
        let store = try TestStore()
        let file = try await store.upload("d", group: "3")
        let events = store.tree.events.subscribe()
        try await EventOrigin.$current.withValue(EventOrigin(id: 7)) {
            try await store.tree.deleteFile(file.id, of: .group("3"))
        }
        var iterator = events.makeAsyncIterator()
        let event = await iterator.next()
        #expect(event == .fileDeleted(file, origin: EventOrigin(id: 7)))
        #expect(event?.owner == .group("3"))
    }

    @Test("creating, renaming and deleting a folder publish folderCreated, folderRenamed and folderDeleted")
    func folderEvents() async throws {
        let store = try TestStore()
        let events = store.tree.events.subscribe()
        let created = try await store.tree.createFolder(named: "a", in: "8", by: alice)
        store.clock.advance(by: 5)
        try await store.tree.renameFolder(created.id, in: "8", to: "b")
        try await store.tree.renameFolder(created.id, in: "8", to: "b")  // no change, no event
        let renamed = try await store.tree.folder(created.id, in: "8")
        try await store.tree.deleteFolder(created.id, in: "8")
        _ = try await store.tree.createFolder(named: "last", in: "8", by: alice)
        var iterator = events.makeAsyncIterator()
        let received = [await iterator.next(), await iterator.next(), await iterator.next()]
        #expect(
            received == [
                .folderCreated(created, origin: nil), .folderRenamed(renamed, origin: nil),
                .folderDeleted(renamed, origin: nil),
            ])
        #expect(renamed.name == "b")
        #expect(received.map { $0?.owner } == Array(repeating: .group("8"), count: 3))
        if case .folderCreated(let folder, _) = await iterator.next() {
            #expect(folder.name == "last")
        } else {
            Issue.record("the second folder's creation was not the next event")
        }
    }

    @Test("files that go with their folder or expire are not reported one by one")
    func noEventsForCascadeOrExpiry() async throws {
        let store = try TestStore(settings: .with(.group) { $0.fileDays = 1 })
        let folder = try await store.tree.createFolder(named: "f", in: "1", by: alice)
        try await store.upload("inside", folder: folder.id)
        try await store.upload("expires")
        let full = try await store.tree.folder(folder.id, in: "1")
        #expect(full.fileCount == 1)
        let events = store.tree.events.subscribe()
        try await store.tree.deleteFolder(folder.id, in: "1")
        store.clock.advance(by: 86_400)
        #expect(try await store.tree.expireFiles() == 1)
        let marker = try await store.upload("marker")
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next() == .folderDeleted(full, origin: nil))
        #expect(await iterator.next() == .fileStored(marker, origin: nil))
    }

    @Test("a failed change publishes nothing")
    func failuresAreSilent() async throws {
        let store = try TestStore()
        let events = store.tree.events.subscribe()
        #expect(
            await trefoilError { try await store.tree.deleteFile(FileID("/none"), of: .group("1")) } == .fileNotFound)
        #expect(
            await trefoilError { try await store.tree.renameFolder(FolderID("/none"), in: "1", to: "x") }
                == .folderNotFound)
        let marker = try await store.upload("marker")
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next() == .fileStored(marker, origin: nil))
    }
}
