import Foundation
import GRDB
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

@Suite("Group commit")
struct GroupCommitTests {
    /// A committer over a fresh database with one table of numbers.
    private static func committer() throws -> (GroupCommitter, any DatabaseWriter) {
        let writer = try AppDatabase.inMemory().writer
        try writer.write { try $0.execute(sql: "CREATE TABLE number (value INTEGER NOT NULL)") }
        return (GroupCommitter(writer: writer) {}, writer)
    }

    /// Work that holds the committer's transaction until `count` more pieces wait for the next one: what a commit
    /// waiting for the disk looks like to the uploads that finish meanwhile.
    private static func holdUntil(_ committer: GroupCommitter, waiting count: Int)
        -> @Sendable (Database) throws -> Void
    {
        { _ in
            // 60 s: at the crowded start of a full run the pieces once took more than 10 s to arrive (more than 30 s in
            // a CI dry run on a slower host).
            let deadline = Date().addingTimeInterval(60)
            while committer.waiting < count, Date() < deadline { usleep(1_000) }
        }
    }

    private static func numbers(_ writer: any DatabaseWriter) throws -> [Int] {
        try writer.read { try Int.fetchAll($0, sql: "SELECT value FROM number ORDER BY value") }
    }

    @Test("pieces that arrive while a transaction commits share the next one; each caller gets its own result")
    func arrivalsShareOneTransaction() async throws {
        let (committer, writer) = try Self.committer()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                try await committer.run(Self.holdUntil(committer, waiting: 8))
                return -1
            }
            while committer.totals.batches < 1 { try? await Task.sleep(for: .milliseconds(1)) }
            for value in 1...8 {
                group.addTask {
                    try await committer.run { db in
                        try db.execute(sql: "INSERT INTO number (value) VALUES (?)", arguments: [value])
                        return value * 10
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == [-1, 10, 20, 30, 40, 50, 60, 70, 80])
        #expect(committer.totals == (batches: 2, pieces: 9))
        #expect(try Self.numbers(writer) == Array(1...8))
    }

    @Test("a piece alone in its transaction that throws after writing leaves nothing; the next piece commits")
    func lonePieceFailureLeavesNothing() async throws {
        let (committer, writer) = try Self.committer()
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await committer.run { db in
                try db.execute(sql: "INSERT INTO number (value) VALUES (1)")
                throw Refused()
            }
        }
        let optional: Int? = try await committer.run { db in
            try db.execute(sql: "INSERT INTO number (value) VALUES (2)")
            return nil
        }
        #expect(optional == nil, "a piece whose result is nil committed, not failed")
        #expect(try Self.numbers(writer) == [2])
        #expect(committer.totals == (batches: 2, pieces: 2))
    }

    @Test("a piece that throws is rolled back alone: its caller gets the error, the others in its transaction commit")
    func failureRollsBackOnePiece() async throws {
        let (committer, writer) = try Self.committer()
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            group.addTask {
                _ = try? await committer.run(Self.holdUntil(committer, waiting: 3))
                return (0, true)
            }
            while committer.totals.batches < 1 { try? await Task.sleep(for: .milliseconds(1)) }
            for value in 1...3 {
                group.addTask {
                    do {
                        try await committer.run { db in
                            try db.execute(sql: "INSERT INTO number (value) VALUES (?)", arguments: [value])
                            if value == 2 { throw TrefoilError.quotaExceeded }
                        }
                        return (value, true)
                    } catch {
                        return (value, false)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }.sorted { $0.0 < $1.0 }
        }
        #expect(outcomes.map(\.1) == [true, true, false, true])
        #expect(committer.totals == (batches: 2, pieces: 4))
        #expect(try Self.numbers(writer) == [1, 3])
    }

    @Test("uploads committing together keep the quota exact: with room for 3 of 5, 3 commit and 2 are refused")
    func quotaInsideOneTransaction() async throws {
        let size = 100
        let store = try TestStore(settings: .with(.group) { $0.totalSpace = Int64(3 * size) })
        let committer = store.tree.committer
        let outcomes = try await withThrowingTaskGroup(of: TrefoilError?.self) { group in
            group.addTask {
                try await committer.run(Self.holdUntil(committer, waiting: 5))
                return nil
            }
            while committer.totals.batches < 1 { try? await Task.sleep(for: .milliseconds(1)) }
            for index in 0..<5 {
                group.addTask {
                    do {
                        _ = try await store.upload(String(repeating: "\(index)", count: size), name: "f\(index)")
                        return nil
                    } catch let error as TrefoilError {
                        return error
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .quotaExceeded }.count == 2)
        #expect(outcomes.filter { $0 == nil }.count == 4)  // the holder and 3 uploads
        #expect(committer.totals == (batches: 2, pieces: 6))
        let info = try await store.tree.fileSystemInfo(of: .group("1"))
        #expect(info.fileCount == 3)
        #expect(info.usedSpace == Int64(3 * size))
        #expect(store.blobFiles().count == 3)
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("a failed commit fails every piece of its transaction, and nothing of any of them is stored")
    func failedCommitFailsAll() async throws {
        let (committer, writer) = try Self.committer()
        // A deferred foreign key is checked at COMMIT: the transaction fails as a whole there.
        try await writer.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE parent (id INTEGER PRIMARY KEY);
                    CREATE TABLE child (parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
                    """)
        }
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                (try? await committer.run(Self.holdUntil(committer, waiting: 2))) != nil
            }
            while committer.totals.batches < 1 { try? await Task.sleep(for: .milliseconds(1)) }
            group.addTask {
                (try? await committer.run { db in
                    try db.execute(sql: "INSERT INTO number (value) VALUES (1)")
                }) != nil
            }
            group.addTask {
                (try? await committer.run { db in try db.execute(sql: "INSERT INTO child (parent) VALUES (7)") }) != nil
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.sorted { !$0 && $1 } == [false, false, true])
        #expect(try Self.numbers(writer) == [])
    }
}
