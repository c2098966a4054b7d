import GRDB
import GRDBSQLite
import Testing

@testable import TrefoilCore

/// The store's statements are compiled once per connection and reused (`cachedStatement`): nothing in their SQL may
/// make SQLite compile them again on every use.
@Suite("Statement cache")
struct StatementCacheTests {
    /// The statements of `db`'s connection that SQLite has compiled again since they were first prepared, with how
    /// often.
    static func recompiled(_ db: Database) -> [String: Int32] {
        var found: [String: Int32] = [:]
        var statement = sqlite3_next_stmt(db.sqliteConnection, nil)
        while let current = statement {
            let count = sqlite3_stmt_status(current, Int32(SQLITE_STMTSTATUS_REPREPARE), 0)
            if count > 0 { found[String(cString: sqlite3_sql(current))] = count }
            statement = sqlite3_next_stmt(db.sqliteConnection, current)
        }
        return found
    }

    @Test("uploads, lookups and listings as time passes never make SQLite compile a cached statement again")
    func liveFileFiltersStayCompiled() async throws {
        let store = try TestStore(settings: .with(.group) { $0.fileDays = 30 })
        let tree = store.tree
        var ids: [FileID] = []
        for round in 0..<4 {
            ids.append(try await store.upload("file \(round)", name: "f\(round).txt").id)
            for id in ids { _ = try await tree.file(id) }
            _ = try await tree.list(in: "1")
            _ = try await tree.fileSystemInfo(of: .group("1"))
            store.clock.advance(by: 7)
        }
        let writer = try await tree.write { Self.recompiled($0) }
        let reader = try await tree.read { Self.recompiled($0) }
        #expect(writer == [:])
        #expect(reader == [:])
    }
}
