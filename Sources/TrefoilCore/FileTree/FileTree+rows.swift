import Foundation
import GRDB

/// Row-level helpers shared by the operations; all run inside a caller's transaction.
extension FileTree {
    static func space(_ db: Database, _ owner: Owner) throws -> SpaceRow? {
        guard isExact(owner.id) else { return nil }
        return try SpaceRow.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM space WHERE kind = ? AND owner = ?"),
            arguments: [owner.kind.rawValue, owner.id])
    }

    /// The owner's space, created with its root folder on first write.
    static func ensureSpace(_ db: Database, _ owner: Owner, now: Int64, by member: Member) throws -> SpaceRow {
        if let existing = try space(db, owner) { return existing }
        try checkOwnerID(owner.id)
        var row = SpaceRow(
            id: nil, kind: owner.kind.rawValue, owner: owner.id, usedSpace: 0, fileCount: 0, createdAt: now)
        try row.insert(db)
        row.id = db.lastInsertedRowID
        let root = FolderRow(
            spaceId: db.lastInsertedRowID, id: FolderID.root.rawValue, parentId: nil, name: "", depth: 0,
            createTime: now, modifyTime: now, creator: member.id, creatorName: member.name, fileCount: 0)
        try root.insert(db)
        return row
    }

    /// Whether `id` can be looked up exactly. GRDB hands SQLite a string only up to its first NUL, so an id
    /// with a NUL would find the one before it; no issued id has one.
    static func isExact(_ id: String) -> Bool { !id.utf8.contains(0) }

    /// Refuses an owner id that cannot name a space: an empty one, or one that SQLite would see cut at a NUL
    /// (the space of the id before the NUL).
    static func checkOwnerID(_ id: String) throws(TrefoilError) {
        if id.isEmpty { throw .invalid(.ownerID, "must not be empty") }
        if !isExact(id) { throw .invalid(.ownerID, "must not contain a NUL") }
    }

    static func folder(_ db: Database, space: Int64, _ id: FolderID) throws -> FolderRow? {
        guard isExact(id.rawValue) else { return nil }
        return try FolderRow.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM folder WHERE space_id = ? AND id = ?"),
            arguments: [space, id.rawValue])
    }

    /// A live (not expired) file of this owner.
    static func file(_ db: Database, _ owner: Owner, _ id: FileID, now: Int64) throws -> FileDetail? {
        guard isExact(id.rawValue), isExact(owner.id) else { return nil }
        return try FileDetail.fetchOne(
            db.cachedStatement(
                sql: FileDetail.select
                    + " WHERE file.id = ? AND space.kind = ? AND space.owner = ?"
                    + " AND (file.dead_time = 0 OR file.dead_time > +?)"),
            arguments: [id.rawValue, owner.kind.rawValue, owner.id, now])
    }

    /// The row of a blob just placed (`BlobStore.place`), with no reference yet: the caller adds its reference in
    /// the same transaction. Bytes already stored keep their row, which gains the SHA3 it lacked. Ends the backend's
    /// journal row of the write (`BlobJournal`) and stores bytes kept in the database, in the same transaction: from
    /// this commit on, the row references the bytes.
    @discardableResult
    static func recordBlob(_ db: Database, _ temp: TempBlob, now: Int64, placed placement: Placement) throws
        -> BlobFacts
    {
        if let journalID = placement.journalID {
            try db.cachedStatement(sql: "DELETE FROM blob_pending WHERE id = ?").execute(arguments: [journalID])
        }
        let digests = temp.digests
        // A row already there keeps its bytes where they are when this upload's copy is in the database (the same
        // content, so the copy is not kept); when this upload placed its bytes with the backend, the row takes them
        // (the limit went down since the row's bytes went into the database), so that a row's bytes are always in
        // exactly one place.
        // Cached statements: this runs for every upload, and preparing the statement again each time (with GRDB's
        // authorizer looking at every column) cost more than running it (perf, issue 18).
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    INSERT INTO blob (sha256, size, md5, sha1, sha3, ref_count, created_at, in_database)
                    VALUES (?, ?, ?, ?, ?, 0, ?, ?)
                    ON CONFLICT (sha256) DO UPDATE SET sha3 = coalesce(blob.sha3, excluded.sha3),
                        in_database = blob.in_database AND excluded.in_database
                    RETURNING in_database, md5, sha1, sha3
                    """),
            arguments: [
                digests.sha256, temp.size, digests.md5, digests.sha1, digests.sha3.isEmpty ? nil : digests.sha3, now,
                placement.inDatabase != nil,
            ])
        guard let row else { throw TrefoilError.internalError("a blob row vanished inside its own transaction") }
        let facts = BlobFacts(inDatabase: row[0], md5: row[1], sha1: row[2], sha3: row[3])
        let inDatabase = facts.inDatabase
        if let bytes = placement.inDatabase, inDatabase == true {
            try db.cachedStatement(
                sql: "INSERT INTO blob_bytes (sha256, bytes) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING"
            ).execute(arguments: [digests.sha256, Data(bytes)])
        } else if placement.inDatabase == nil {
            try db.cachedStatement(sql: "DELETE FROM blob_bytes WHERE sha256 = ?").execute(arguments: [digests.sha256])
        }
        return facts
    }

    /// What a blob's row says once `recordBlob` has written it: where its bytes are, and its digests (a row already
    /// there keeps its own MD5 and SHA-1, and gains a SHA3 only when it had none).
    struct BlobFacts {
        var inDatabase: Bool
        var md5: String
        var sha1: String
        var sha3: String?
    }

    /// A file row about to be added: everything but the space it goes to, which `addFile` finds or creates.
    struct NewFile {
        var owner: Owner
        var folder: FolderID
        var name: String
        var sha256: String
        var size: Int64
        var member: Member
        var options: FileOptions
        var now: Int64
        var deadTime: Int64
        /// The id the file gets; nil: a fresh one.
        var id: FileID? = nil
    }

    /// Inside a write: adds a file row to its space under the limits of the space's kind, for bytes whose blob row
    /// exists (the row gains the file's reference). With `replacing`, every other live file of the space is deleted
    /// first, so that the limits count the space as it will be; those files are returned as they were.
    ///
    /// `blob` is what `recordBlob` returned for the file's bytes in the same transaction: the stored file is then made
    /// from the rows as written, without reading them back (the join was a tenth of the writer's CPU for a small
    /// upload; perf, issue 18).
    static func addFile(
        _ db: Database, _ new: NewFile, limits: SpaceLimits, replacing: Bool, blob: BlobFacts? = nil
    ) throws -> (stored: StoredFile, replaced: [StoredFile]) {
        var space = try ensureSpace(db, new.owner, now: new.now, by: new.member)
        guard try folder(db, space: space.id!, new.folder) != nil else { throw TrefoilError.folderNotFound }
        var replaced: [StoredFile] = []
        if replacing {
            replaced = try FileDetail.fetchAll(
                db.cachedStatement(
                    sql: FileDetail.select + " WHERE file.space_id = ? AND (file.dead_time = 0 OR file.dead_time > +?)"),
                arguments: [space.id!, new.now]
            ).map(\.stored)
            for file in replaced { try FileRow.deleteOne(db, key: file.id.rawValue) }
            if !replaced.isEmpty, let after = try self.space(db, new.owner) { space = after }
        }
        if space.fileCount + 1 > limits.fileLimit { throw TrefoilError.fileCountLimit }
        if space.usedSpace + new.size > limits.totalSpace { throw TrefoilError.quotaExceeded }
        let row = FileRow(
            id: (new.id ?? FileID.make()).rawValue, spaceId: space.id!, folderId: new.folder.rawValue, name: new.name,
            sha256: new.sha256, size: new.size, deadTime: new.deadTime, uploadTime: new.now, modifyTime: new.now,
            downloadTimes: 0, uploader: new.member.id, uploaderName: new.member.name,
            secretRequired: new.options.secretRequired, previewWidth: new.options.previewBox?.width,
            previewHeight: new.options.previewBox?.height)
        try row.insertCached(db)
        if let blob {
            let detail = FileDetail(
                file: row, owner: new.owner, md5: blob.md5, sha1: blob.sha1, sha3: blob.sha3,
                inDatabase: blob.inDatabase)
            return (detail.stored, replaced)
        }
        guard let detail = try file(db, new.owner, FileID(row.id), now: new.now) else {
            throw TrefoilError.internalError("a file row vanished inside its own transaction")
        }
        return (detail.stored, replaced)
    }

    /// Blobs whose last reference went away, for the collector.
    static func unreferencedBlobs(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT sha256 FROM blob WHERE ref_count = 0")
    }

    /// The dead time a new file of this owner gets under its kind's retention: 0 (kept until deleted) or the
    /// moment it expires.
    func deadTime(for owner: Owner, now: Int64) -> Int64 {
        let days = settings[owner.kind].fileDays
        return days > 0 ? UnixTime.adding(days: days, to: now) : 0
    }
}
