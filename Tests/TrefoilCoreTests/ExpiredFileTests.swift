import Foundation
import GRDB
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

/// A file whose dead time has passed stays known as expired, before the janitor removes it and for
/// `FileTree.tombstoneSeconds` after; a file deleted on purpose is simply unknown.
@Suite("Expired files stay known")
struct ExpiredFileTests {
    let alice = Member(id: "u1", name: "Alice")
    let app = Owner(.app, "acme#chat")
    static let week: Int64 = 7 * 86_400

    func store() throws -> TestStore { try TestStore(settings: .with(.app) { $0.fileDays = 7 }) }

    func upload(_ store: TestStore, _ text: String, secret: Bool = false) async throws -> StoredFile {
        try await store.tree.upload(
            chunks(Array(text.utf8)), name: "\(text).txt", to: app, by: alice,
            options: FileOptions(secretRequired: secret))
    }

    func expired(_ file: StoredFile) -> FileLookup {
        .expired(
            ExpiredFile(
                id: file.id, owner: file.owner, name: file.name, deadTime: file.deadTime,
                secretRequired: file.options.secretRequired))
    }

    @Test("a file past its dead time is expired before the janitor's pass and after it, with its owner, name and flag")
    func expiredBeforeAndAfterTheJanitor() async throws {
        let store = try store()
        let file = try await upload(store, "short", secret: true)
        let other = try await upload(store, "plain")
        #expect(file.deadTime == store.clock.now + Self.week)
        #expect(try await store.tree.lookup(file.id) == .live(file))

        store.clock.advance(by: Self.week - 1)
        #expect(try await store.tree.lookup(file.id) == .live(file))
        store.clock.advance(by: 1)
        #expect(try await store.tree.lookup(file.id) == expired(file))
        #expect(await trefoilError { _ = try await store.tree.file(file.id) } == .fileNotFound)

        #expect(try await store.tree.expireFiles() == 2)
        #expect(try await store.tree.lookup(file.id) == expired(file))
        #expect(try await store.tree.lookup(other.id) == expired(other))
        #expect(store.blobFiles() == [])
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
    }

    @Test("a tombstone lasts tombstoneSeconds after the janitor removed the file, then it is unknown and dropped")
    func tombstoneRunsOut() async throws {
        let store = try store()
        let file = try await upload(store, "short")
        store.clock.advance(by: Self.week + 100)
        #expect(try await store.tree.expireFiles() == 1)
        func tombstones() async throws -> Int {
            try await store.tree.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM expired_file") ?? 0 }
        }
        #expect(try await tombstones() == 1)

        store.clock.advance(by: FileTree.tombstoneSeconds - 1)
        #expect(try await store.tree.expireFiles() == 0)
        #expect(try await store.tree.lookup(file.id) == expired(file))
        #expect(try await tombstones() == 1)
        store.clock.advance(by: 1)
        #expect(try await store.tree.lookup(file.id) == .unknown)
        #expect(try await store.tree.expireFiles() == 0)
        #expect(try await tombstones() == 0)
        #expect(FileTree.tombstoneSeconds == 400 * 86_400)
    }

    @Test("a file deleted on purpose, alone or with its folder, is unknown, not expired")
    func deletedIsUnknown() async throws {
        let store = try TestStore(settings: .with(.group) { $0.fileDays = 1 })
        let alone = try await store.upload("alone")
        let folder = try await store.tree.createFolder(named: "f", in: "1", by: alice)
        let inside = try await store.upload("inside", folder: folder.id)
        try await store.tree.makePermanent(inside.id, of: .group("1"))
        let expiredInside = try await store.upload("expired inside", folder: folder.id)
        store.clock.advance(by: 3600)
        let later = try await store.upload("later", folder: folder.id)
        try await store.tree.deleteFile(alone.id, of: .group("1"))
        store.clock.advance(by: 86_400 - 3600)
        // Past expiredInside's dead time but before the janitor: the folder's deletion takes it, and it leaves no
        // tombstone either.
        #expect(try await store.tree.lookup(expiredInside.id) == expired(expiredInside))
        try await store.tree.deleteFolder(folder.id, in: "1")
        #expect(try await store.tree.expireFiles() == 0)
        for file in [alone, inside, expiredInside, later] {
            #expect(try await store.tree.lookup(file.id) == .unknown, "\(file.name)")
        }
    }

    @Test("an id never issued, or one with a NUL, is unknown")
    func neverIssued() async throws {
        let store = try store()
        let file = try await upload(store, "x")
        #expect(try await store.tree.lookup(FileID("/00000000-0000-0000-0000-000000000000")) == .unknown)
        #expect(try await store.tree.lookup(FileID(file.id.rawValue + "\0")) == .unknown)
        #expect(try await store.tree.lookup(FileID("")) == .unknown)
    }

    @Test("expired files are still known after the store is reopened, before and after the janitor's pass")
    func survivesReopening() async throws {
        let store = try store()
        let removed = try await upload(store, "removed")
        store.clock.advance(by: Self.week)
        #expect(try await store.tree.expireFiles() == 1)
        let pending = try await upload(store, "pending", secret: true)
        let again = try store.reopened()
        again.clock.advance(by: store.clock.now - again.clock.now + Self.week)
        #expect(try await again.tree.lookup(removed.id) == expired(removed))
        #expect(try await again.tree.lookup(pending.id) == expired(pending))
        #expect(try await again.tree.expireFiles() == 1)
        #expect(try await again.tree.lookup(pending.id) == expired(pending))
    }
}
