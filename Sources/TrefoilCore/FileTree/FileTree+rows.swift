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
                    + " AND (file.dead_time = 0 OR file.dead_time > ?)"),
            arguments: [id.rawValue, owner.kind.rawValue, owner.id, now])
    }

    /// The row of a blob just placed (`BlobStore.place`), with no reference yet: the caller adds its reference in
    /// the same transaction. Bytes already stored keep their row, which gains the SHA3 it lacked.
    static func recordBlob(_ db: Database, _ temp: TempBlob, now: Int64) throws {
        let digests = temp.digests
        try db.execute(
            sql: """
                INSERT INTO blob (sha256, size, md5, sha1, sha3, ref_count, created_at)
                VALUES (?, ?, ?, ?, ?, 0, ?)
                ON CONFLICT (sha256) DO UPDATE SET sha3 = coalesce(blob.sha3, excluded.sha3)
                """,
            arguments: [
                digests.sha256, temp.size, digests.md5, digests.sha1, digests.sha3.isEmpty ? nil : digests.sha3, now,
            ])
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
