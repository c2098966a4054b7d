import Foundation
import GRDB
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

/// Schema v3 (text owner ids, five kinds, lifetimes as dead times) over stores written before it.
@Suite("Schema v3 migration")
struct MigrationTests {
    @Test("a store written by the release before v3 keeps every row, id and counter, with owners as text")
    func fixtureRowsSurvive() async throws {
        let directory = try MigrationFixture.copy()
        defer { try? FileManager.default.removeItem(at: directory.root.deletingLastPathComponent()) }
        let before = try await DatabaseQueue(path: directory.databasePath).read(Self.tables)
        #expect(before.file.count == 13)

        let tree = try FileTree.open(directory: directory, settings: .init())
        let after = try await tree.read(Self.tables)
        // v2 → v3: owner, creator and uploader become their decimal text, and the lifetime code goes; every other
        // value (ids, counters, download counts, dead times, blob reference counts) stays as it was.
        #expect(after.space == before.space.map { Self.asText($0, "owner") })
        #expect(after.folder == before.folder.map { Self.asText($0, "creator") })
        // v3 → v4: every file gets the options a file stored without any has.
        let noOptions: [String: DatabaseValue] = [
            "secret_required": 0.databaseValue, "preview_width": .null, "preview_height": .null,
        ]
        #expect(
            after.file
                == before.file.map {
                    Self.asText($0, "uploader").filter { $0.key != "busid" }.merging(noOptions) { $1 }
                })
        // v6 → v7: every blob is in use, so none has a moment it was first seen unused. v8 → v9: every blob stays
        // with the backend.
        #expect(
            after.blob
                == before.blob.map { $0.merging(["unused_since": .null, "in_database": 0.databaseValue]) { $1 } })
        #expect(after.space.map { $0["owner"] } == ["123", "9", "10", "4294967296", "42"].map { $0.databaseValue })

        for row in before.file {
            let file = try await tree.file(FileID(String.fromDatabaseValue(row["id"]!)!))
            let code = Int.fromDatabaseValue(row["busid"]!)
            #expect(file.lifetime == (code == 104 ? .temporary : .permanent))
            #expect(file.deadTime == Int64.fromDatabaseValue(row["dead_time"]!))
        }
        #expect(try await tree.checkConsistency(repair: false) == ConsistencyReport())
        #expect(try await tree.read { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check").count } == 0)
        let newTables = try await tree.read { db in
            try ["expired_file", "space_notice", "derived_blob", "used_ticket"].map {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1
            }
        }
        #expect(newTables == [0, 0, 0, 0])
    }

    @Test("after the migration the listing, usage and lookups of the old store answer as before")
    func fixtureAnswers() async throws {
        let fixture = try MigrationFixture()
        let directory = try MigrationFixture.copy()
        defer { try? FileManager.default.removeItem(at: directory.root.deletingLastPathComponent()) }
        let tree = try FileTree.open(directory: directory, settings: .init())

        let root = try await tree.list(in: "123")
        #expect(root.folders.map(\.name) == ["docs", "vacant"])
        #expect(root.folders.map(\.fileCount) == [4, 0])
        #expect(root.files.map(\.name) == ["temporary.txt", "kept.txt", "hello.txt", "hello again.txt"])
        let hello = try await tree.file(fixture.helloFile, of: .group("123"))
        #expect(hello.downloadTimes == 3)
        #expect(hello.uploader == "10000")
        let docs = try await tree.list(fixture.docsFolder, in: "123")
        #expect(docs.files.map(\.uploader) == ["777", "10000", "10000", "10000"])
        #expect(
            try await tree.fileSystemInfo(of: .group("123"))
                == FileSystemInfo(fileCount: 9, limitCount: 10_000, usedSpace: 87, totalSpace: 10 << 30))
        #expect(try await tree.owners(of: .group) == ["9", "10", "123", "4294967296"])
        let privateFile = try await tree.file(fixture.privateFile, of: .user("42"))
        #expect(privateFile.lifetime == .temporary)
    }

    @Test("the rebuilt tables keep every index and trigger: listing pages over the covering index, counters move")
    func indexesAndTriggers() async throws {
        let directory = try MigrationFixture.copy()
        defer { try? FileManager.default.removeItem(at: directory.root.deletingLastPathComponent()) }
        let tree = try FileTree.open(directory: directory, settings: .init())
        let schema = try await tree.read { db in
            try Row.fetchAll(db, sql: "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger')")
                .filter { !(($0["name"] as String).hasPrefix("sqlite_autoindex")) }
                .map { "\($0["type"] as String) \($0["name"] as String)" }.sorted()
        }
        #expect(
            schema == [
                "index blob_unreferenced", "index derived_blob_output", "index expired_file_removed",
                "index file_blob", "index file_expiry", "index file_folder_expiry", "index file_listing",
                "index file_space_recent", "index space_notice_recent", "index used_ticket_expiry",
                "trigger blob_used_again", "trigger derived_blob_added",
                "trigger derived_blob_fixed", "trigger derived_blob_removed", "trigger file_added",
                "trigger file_blob_first_use", "trigger file_blob_last_use",
                "trigger file_content_fixed", "trigger file_moved", "trigger file_removed",
            ])
        // v6 starts its total from the rows the fixture already holds.
        let totals = try await tree.read { try FileTree.fileBlobBytes($0) }
        #expect(totals.kept == totals.real && totals.real > 0)
        let plan = try await tree.read { db in
            try String.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN SELECT id FROM file WHERE space_id = 1 AND folder_id = '/'
                    ORDER BY upload_time DESC, id LIMIT 10 OFFSET 5
                    """, adapter: SuffixRowAdapter(fromIndex: 3))
        }
        #expect(plan == ["SEARCH file USING COVERING INDEX file_listing (space_id=? AND folder_id=?)"])

        let info = try await tree.fileSystemInfo(of: .group("123"))
        let file = try await tree.upload(
            chunks(Array("after".utf8)), name: "after.txt", to: .group("123"), by: Member(id: "u1"))
        #expect(try await tree.fileSystemInfo(of: .group("123")).fileCount == info.fileCount + 1)
        try await tree.deleteFile(file.id, of: .group("123"))
        #expect(try await tree.fileSystemInfo(of: .group("123")) == info)
        #expect(try await tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("negative and zero owner ids of v2 become their decimal text")
    func negativeOwners() async throws {
        let directory = DataDirectory(path: makeTempDirectory())
        defer { try? FileManager.default.removeItem(at: directory.root) }
        try directory.create()
        let queue = try DatabaseQueue(path: directory.databasePath)
        try AppDatabase.migrator.migrate(queue, upTo: "v2-folder-expiry")
        let sha = String(repeating: "a", count: 64)
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO space (id, kind, owner, created_at) VALUES (1, 'group', -5, 0), (2, 'user', 0, 0);
                    INSERT INTO folder (space_id, id, parent_id, name, depth, create_time, modify_time, creator)
                        VALUES (1, '/', NULL, '', 0, 0, 0, -7), (2, '/', NULL, '', 0, 0, 0, 0);
                    INSERT INTO blob (sha256, size, md5, sha1, created_at) VALUES (?, 1, ?, ?, 0);
                    INSERT INTO file (id, space_id, folder_id, name, sha256, size, busid, dead_time, upload_time,
                        modify_time, uploader) VALUES ('/f', 1, '/', 'n', ?, 1, 104, 99, 1, 1, -7);
                    """,
                arguments: [sha, String(repeating: "b", count: 32), String(repeating: "c", count: 40), sha])
        }
        try queue.close()
        let blobPath = DiskBlobs(directory: directory).path(for: sha)
        try FileManager.default.createDirectory(
            atPath: (blobPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: blobPath, contents: Data([1])))

        let tree = try FileTree.open(directory: directory, settings: .init(), clock: { 50 })
        let file = try await tree.file(FileID("/f"), of: .group("-5"))
        #expect(file.uploader == "-7")
        #expect(file.lifetime == .temporary)
        #expect(file.deadTime == 99)
        #expect(try await tree.owners(of: .group) == ["-5"])
        #expect(try await tree.owners(of: .user) == ["0"])
        #expect(try await tree.fileSystemInfo(of: .group("-5")).usedSpace == 1)
        #expect(try await tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("a space whose kind this release does not know is an error when read, never taken for a group")
    func unknownKind() async throws {
        let store = try TestStore()
        let file = try await store.upload("x", group: "7")
        try await store.tree.database.writer.write { db in
            // As a newer release that knows more kinds would have written it.
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE space SET kind = 'channel' WHERE owner = '7'")
        }
        let error = await trefoilError { _ = try await store.tree.file(file.id) }
        #expect(error == .databaseError("space 1 has the kind \"channel\", which this release does not know"))
        #expect(await trefoilError { _ = try await store.tree.file(file.id, of: .group("7")) } == .fileNotFound)
        #expect(try await store.tree.list(in: "7") == FolderListing(folders: [], files: []))
    }

    /// Every row of the four tables, keyed by column, in a stable order.
    private static func tables(_ db: Database) throws -> Tables {
        func rows(_ sql: String) throws -> [[String: DatabaseValue]] {
            try Row.fetchAll(db, sql: sql).map { row in
                Dictionary(uniqueKeysWithValues: row.columnNames.map { ($0, row[$0] as DatabaseValue) })
            }
        }
        return Tables(
            space: try rows("SELECT * FROM space ORDER BY id"),
            folder: try rows("SELECT * FROM folder ORDER BY space_id, id"),
            file: try rows("SELECT * FROM file ORDER BY id"),
            blob: try rows("SELECT * FROM blob ORDER BY sha256"))
    }

    private struct Tables: Sendable {
        var space: [[String: DatabaseValue]]
        var folder: [[String: DatabaseValue]]
        var file: [[String: DatabaseValue]]
        var blob: [[String: DatabaseValue]]
    }

    /// `row` with the integer in `column` written as decimal text.
    private static func asText(_ row: [String: DatabaseValue], _ column: String) -> [String: DatabaseValue] {
        var row = row
        if let number = Int64.fromDatabaseValue(row[column]!) { row[column] = String(number).databaseValue }
        return row
    }
}
