import GRDB

extension FileTree {
    /// A live file of this owner, or `.fileNotFound`.
    public func file(_ id: FileID, of owner: Owner) async throws -> StoredFile {
        let now = clock()
        return try await read { db in
            guard let detail = try Self.file(db, owner, id, now: now) else { throw TrefoilError.fileNotFound }
            return detail.stored
        }
    }

    /// A live file by id alone, whoever owns it: for signed download links, where the signature
    /// already proves the caller was given this file. Kept for `cachedFile(_:)` until the next write ends.
    public func file(_ id: FileID) async throws -> StoredFile {
        let now = clock()
        let generation = files.generation
        let file = try await read { db in
            guard Self.isExact(id.rawValue),
                let detail = try FileDetail.fetchOne(
                    db.cachedStatement(
                        sql: FileDetail.select + " WHERE file.id = ? AND (file.dead_time = 0 OR file.dead_time > +?)"),
                    arguments: [id.rawValue, now])
            else { throw TrefoilError.fileNotFound }
            return detail.stored
        }
        files.store(file, readAfter: generation)
        return file
    }

    /// `file(_:)` from memory, without reading the store: the file as a `file(_:)` read it since the last write
    /// transaction ended (its `downloadTimes` may lag), unless its dead time has passed; nil when there is none (ask
    /// `file(_:)`). Never blocks, so an event loop may call it.
    public func cachedFile(_ id: FileID) -> StoredFile? {
        guard let file = files.file(id.rawValue), file.deadTime == 0 || file.deadTime > clock() else { return nil }
        return file
    }

    /// The bytes of a file kept in the database (`StoredFile.bytesInDatabase`) from memory, when they were read
    /// before (`bytes(of:in:)`); nil otherwise. Never blocks.
    public func cachedBytes(of file: StoredFile) -> [UInt8]? {
        file.bytesInDatabase ? inlineBytes.bytes(file.digests.sha256) : nil
    }

    /// What the store knows of a file id, whoever owns it: live, expired (its dead time has passed, whether or not
    /// the janitor has removed it yet, for `tombstoneSeconds` after it did), or unknown (never issued, deleted on
    /// purpose, or expired longer ago than that).
    public func lookup(_ id: FileID) async throws -> FileLookup {
        let now = clock()
        guard Self.isExact(id.rawValue) else { return .unknown }
        return try await read { db in
            if let detail = try FileDetail.fetchOne(
                db.cachedStatement(sql: FileDetail.select + " WHERE file.id = ?"), arguments: [id.rawValue])
            {
                let file = detail.file
                if file.deadTime == 0 || file.deadTime > now { return .live(detail.stored) }
                return .expired(
                    ExpiredFile(
                        id: id, owner: detail.owner, name: file.name, deadTime: file.deadTime,
                        secretRequired: file.secretRequired))
            }
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT kind, owner, name, dead_time, secret_required FROM expired_file
                            WHERE id = ? AND removed_at > ?
                            """),
                    arguments: [id.rawValue, now - Self.tombstoneSeconds])
            else { return .unknown }
            let kind = try SpaceKind(stored: row[0], in: "expired file \(id)")
            return .expired(
                ExpiredFile(
                    id: id, owner: Owner(kind, row[1]), name: row[2], deadTime: row[3], secretRequired: row[4]))
        }
    }

    /// Deletes a file; its blob goes when nothing else references it. A `.fileDeleted` event follows the commit.
    public func deleteFile(_ id: FileID, of owner: Owner) async throws {
        let now = clock()
        let (deleted, orphans) = try await write { db -> (StoredFile, [String]) in
            guard let detail = try Self.file(db, owner, id, now: now) else { throw TrefoilError.fileNotFound }
            try FileRow.deleteOne(db, key: detail.file.id)
            return (detail.stored, try Self.unreferencedBlobs(db))
        }
        events.publish(.fileDeleted(deleted, origin: EventOrigin.current))
        await collectQuietly(orphans)
    }

    /// Moves a group file to another folder of the same group.
    ///
    /// When `expectedParent` is given and the file is not in it, throws `.fileNotFound` (the file
    /// is not where the caller says it is).
    public func moveFile(_ id: FileID, in group: String, to target: FolderID, expectedParent: FolderID? = nil)
        async throws
    {
        let now = clock()
        try await write { db in
            guard let detail = try Self.file(db, .group(group), id, now: now) else { throw TrefoilError.fileNotFound }
            if let expectedParent, expectedParent.rawValue != detail.file.folderId { throw TrefoilError.fileNotFound }
            guard try Self.folder(db, space: detail.file.spaceId, target) != nil else {
                throw TrefoilError.folderNotFound
            }
            var row = detail.file
            if row.folderId == target.rawValue { return }
            row.folderId = target.rawValue
            row.modifyTime = now
            try row.update(db)
        }
    }

    /// Renames a file; the new name follows the file-name rules (bad characters become `_`).
    public func renameFile(_ id: FileID, of owner: Owner, to rawName: String) async throws {
        let name = try Names.fileName(rawName)
        let now = clock()
        try await write { db in
            guard var row = try Self.file(db, owner, id, now: now)?.file else { throw TrefoilError.fileNotFound }
            row.name = name
            row.modifyTime = now
            try row.update(db)
        }
    }

    /// Makes a temporary file permanent; a permanent file is left as it is.
    public func makePermanent(_ id: FileID, of owner: Owner) async throws {
        let now = clock()
        try await write { db in
            guard var row = try Self.file(db, owner, id, now: now)?.file else { throw TrefoilError.fileNotFound }
            if row.deadTime == 0 { return }
            row.deadTime = 0
            row.modifyTime = now
            try row.update(db)
        }
    }

    /// Counts one download of a file (a GET whose body starts at byte 0) in memory; `flushDownloadCounts` writes
    /// it to `download_times`.
    ///
    /// A write transaction per download made `download_times` the busiest writer of the store: about 910
    /// `Range: bytes=0-0` requests a second took the bots' write latency from 2 ms to 15 ms (a commit is an
    /// fsync). Counted here, they cost a lock; the periodic flush writes every count in one transaction.
    public func recordDownload(of id: FileID) {
        guard Self.isExact(id.rawValue) else { return }
        downloadCounts.add(id)
    }

    /// Writes every download counted since the last flush in one transaction (none when there are none); returns
    /// how many files it updated. On failure the counts are kept for the next flush.
    @discardableResult
    public func flushDownloadCounts() async throws -> Int {
        let counts = downloadCounts.take()
        guard !counts.isEmpty else { return 0 }
        do {
            // Cached files stay: a flush every second would otherwise send every download back to the store.
            try await write(keepingFiles: true) { db in
                let statement = try db.cachedStatement(
                    sql: "UPDATE file SET download_times = download_times + ? WHERE id = ?")
                for (id, count) in counts { try statement.execute(arguments: [count, id.rawValue]) }
            }
        } catch {
            downloadCounts.restore(counts)
            throw error
        }
        return counts.count
    }
}
