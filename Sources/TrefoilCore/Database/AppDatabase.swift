import Foundation
import GRDB

/// The metadata database: owns the writer and the schema.
///
/// Production uses a `DatabasePool` in WAL mode on disk; pure-logic tests may pass an in-memory
/// `DatabaseQueue`. Both run the same migrations.
public struct AppDatabase: Sendable {
    let writer: any DatabaseWriter

    init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
    }

    /// Opens (creating when needed) the database file at `path`.
    public static func open(path: String) throws(TrefoilError) -> AppDatabase {
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            // The pool switches its writer to WAL mode after `prepareDatabase` has run, and sets `synchronous = NORMAL`
            // as it does: a commit would then reach the WAL file but not the disk until the next checkpoint, and a
            // power loss could take back an upload that was already answered. Set it again, on the writer.
            try pool.barrierWriteWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            return try AppDatabase(pool)
        } catch {
            throw .databaseError("cannot open \(path): \(error)")
        }
    }

    /// An empty database in memory, for tests of pure logic.
    public static func inMemory() throws -> AppDatabase {
        try AppDatabase(DatabaseQueue(configuration: configuration))
    }

    private static var configuration: Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            // A commit must survive power loss, not only a process crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Statement journals (an upload's multi-row statements inside its transaction) in memory: in a file, each
            // upload created, wrote and unlinked one in /var/tmp (strace, issue 18).
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        return config
    }
}
