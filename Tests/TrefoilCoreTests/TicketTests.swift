import GRDB
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

/// `commit(…, ticket:)`: a single-use ticket is used exactly when a file commits with it.
@Suite("Single-use tickets")
struct TicketTests {
    let alice = Member(id: "u1", name: "Alice")
    let owner = Owner(.app, "acme#chat")

    func commit(_ store: TestStore, _ text: String, ticket: TicketUse?) async throws -> StoredFile {
        let staged = try await store.tree.stage(chunks(Array(text.utf8)))
        return try await store.tree.commit(staged, name: "\(text).bin", to: owner, by: alice, ticket: ticket)
    }

    func ticket(_ store: TestStore, _ id: String = "t-1", lasting seconds: Int64 = 3600) -> TicketUse {
        TicketUse(id: id, expires: store.clock.now + seconds)
    }

    func usedRows(_ store: TestStore) async throws -> Int {
        try await store.tree.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM used_ticket") ?? -1 }
    }

    @Test("a ticket is used by the commit that names it; a second commit with it is ticketUsed and stores nothing")
    func reuseRefused() async throws {
        let store = try TestStore()
        let ticket = ticket(store)
        #expect(try await store.tree.isTicketUsed("t-1") == false)
        let first = try await commit(store, "first", ticket: ticket)
        #expect(try await store.tree.isTicketUsed("t-1"))
        #expect(try await store.tree.isTicketUsed("t-2") == false)

        #expect(await trefoilError { _ = try await commit(store, "second", ticket: ticket) } == .ticketUsed)
        #expect(await trefoilError { _ = try await commit(store, "first", ticket: ticket) } == .ticketUsed)
        #expect(try await store.tree.files(of: owner, limit: 10, offset: 0) == [first])
        #expect(store.blobFiles() == [first.digests.sha256])
        #expect(store.tempFiles() == [])
        _ = try await commit(store, "another ticket", ticket: self.ticket(store, "t-2"))
        _ = try await commit(store, "no ticket", ticket: nil)
        #expect(try await usedRows(store) == 2)
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
        #expect(TrefoilError.ticketUsed.description == "TICKET_USED: the upload ticket was already used or has expired")
    }

    @Test("a commit that fails for another reason leaves its ticket unused")
    func failedCommitKeepsTicket() async throws {
        let store = try TestStore(settings: .with(.app) { $0.totalSpace = 5 })
        let ticket = ticket(store)
        #expect(await trefoilError { _ = try await commit(store, "too large", ticket: ticket) } == .quotaExceeded)
        #expect(try await store.tree.isTicketUsed(ticket.id) == false)
        let stored = try await commit(store, "fits", ticket: ticket)
        #expect(try await store.tree.files(of: owner, limit: 10, offset: 0) == [stored])
        #expect(try await store.tree.isTicketUsed(ticket.id))
    }

    @Test("concurrent commits with one ticket store exactly one file; the others are ticketUsed")
    func concurrentUse() async throws {
        let store = try TestStore()
        let ticket = ticket(store)
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<20 {
                group.addTask {
                    do {
                        _ = try await commit(store, "bytes \(i)", ticket: ticket)
                        return true
                    } catch TrefoilError.ticketUsed {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.count(where: { $0 }) == 1)
        let files = try await store.tree.files(of: owner, limit: 100, offset: 0)
        #expect(files.count == 1)
        #expect(store.blobFiles() == files.map(\.digests.sha256))
        #expect(store.tempFiles() == [])
        #expect(try await usedRows(store) == 1)
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test(
        "the janitor forgets a used ticket once it expires; a commit after the expiry is refused whether or not it was used"
    )
    func expiredTickets() async throws {
        let store = try TestStore()
        let used = ticket(store, "used", lasting: 100)
        let unused = ticket(store, "unused", lasting: 100)
        _ = try await commit(store, "a", ticket: used)
        store.clock.advance(by: 99)
        #expect(try await store.tree.expireFiles() == 0)
        #expect(try await store.tree.isTicketUsed("used"))
        #expect(try await usedRows(store) == 1)

        store.clock.advance(by: 1)
        #expect(try await store.tree.expireFiles() == 0)
        #expect(try await store.tree.isTicketUsed("used") == false)
        #expect(try await usedRows(store) == 0)
        #expect(await trefoilError { _ = try await commit(store, "b", ticket: used) } == .ticketUsed)
        #expect(await trefoilError { _ = try await commit(store, "c", ticket: unused) } == .ticketUsed)
        #expect(try await store.tree.fileSystemInfo(of: owner).fileCount == 1)
        #expect(try await usedRows(store) == 0)
        #expect(store.tempFiles() == [])
    }

    @Test("a used ticket stays used after a restart")
    func survivesRestart() async throws {
        let store = try TestStore()
        let ticket = ticket(store)
        _ = try await commit(store, "before", ticket: ticket)
        let restarted = try store.reopened()
        #expect(try await restarted.tree.isTicketUsed(ticket.id))
        #expect(await trefoilError { _ = try await commit(restarted, "after", ticket: ticket) } == .ticketUsed)
        #expect(try await restarted.tree.fileSystemInfo(of: owner).fileCount == 1)
    }

    @Test("a ticket id that is empty or holds a NUL is refused as invalid, and its bytes are dropped")
    func badTicketIDs() async throws {
        let store = try TestStore()
        _ = try await commit(store, "a", ticket: ticket(store, "a"))
        #expect(
            await trefoilError { _ = try await commit(store, "x", ticket: ticket(store, "")) }
                == .invalid(.ticketID, "must not be empty"))
        #expect(
            await trefoilError { _ = try await commit(store, "y", ticket: ticket(store, "a\0b")) }
                == .invalid(.ticketID, "must not contain a NUL"))
        #expect(try await store.tree.isTicketUsed("a\0b") == false)
        #expect(try await store.tree.fileSystemInfo(of: owner).fileCount == 1)
        #expect(store.tempFiles() == [])
        #expect(store.blobFiles().count == 1)
    }

    @Test(
        "a commit may name the file's id (a ticket's): the file has it; an id not shaped like an issued one is refused")
    func chosenID() async throws {
        let store = try TestStore()
        let id = FileID("/5fd74830-0000-4000-822a-81ea50bb049d")
        let staged = try await store.tree.stage(chunks(Array("named".utf8)))
        let file = try await store.tree.commit(staged, name: "n.bin", to: owner, by: alice, id: id)
        #expect(file.id == id)
        #expect(try await store.tree.file(id) == file)
        for bad in ["5fd74830-0000-4000-822a-81ea50bb049d", "/5FD74830-0000-4000-822A-81EA50BB049D", "/x", "/../a"] {
            let again = try await store.tree.stage(chunks(Array("other".utf8)))
            let error = await trefoilError {
                _ = try await store.tree.commit(again, name: "o.bin", to: owner, by: alice, id: FileID(bad))
            }
            #expect(error == .internalError("a chosen file id must be \"/\" and a lowercase UUID, not \(bad)"))
        }
        #expect(store.tempFiles() == [])
        #expect(try await store.tree.files(of: owner, limit: 10, offset: 0) == [file])
    }
}
