import GRDB

#if canImport(Glibc)
    import Glibc
#endif

extension FileTree {
    /// Removes every blob that no file references: unreferenced rows and files on disk without a row
    /// (left by a crash between the rename and the commit). Returns how many blobs went.
    ///
    /// Synchronous, for start-up and fsck, before anything else uses the store.
    @discardableResult
    public func collectGarbage() throws -> Int {
        let onDisk = blobs.storedHashes()
        let (known, unreferenced) = try database.writer.read { db in
            (Set(try String.fetchAll(db, sql: "SELECT sha256 FROM blob")), try Self.unreferencedBlobs(db))
        }
        let candidates = unreferenced + onDisk.filter { !known.contains($0) }
        guard !candidates.isEmpty else { return 0 }
        defer { usage.invalidate() }
        let claimed = try database.writer.write { db in try self.claim(candidates, db) }
        if !claimed.isEmpty { derivedCache.invalidate() }
        return claimed.filter(blobs.removeIfStillClaimed).count
    }

    /// Removes blobs whose last reference went away (cheap: no walk of the blob folder).
    @discardableResult
    public func collectUnreferencedBlobs() async throws -> Int {
        try await collectGarbage(candidates: try await read(Self.unreferencedBlobs))
    }

    /// Removes those of `candidates` that are unreferenced and not pinned by an upload in flight.
    @discardableResult
    func collectGarbage(candidates: [String]) async throws -> Int {
        guard !candidates.isEmpty else { return 0 }
        let claimed = try await write { db in try self.claim(candidates, db) }
        if !claimed.isEmpty { derivedCache.invalidate() }
        return claimed.filter(blobs.removeIfStillClaimed).count
    }

    /// Inside the collector's transaction: drops the rows of unreferenced, unpinned candidates and
    /// claims their files.
    ///
    /// Dropping a source blob's row drops the rows of the blobs derived from it, whose triggers release those
    /// blobs: they are looked at in the same pass, round after round until a round drops no row.
    private func claim(_ candidates: [String], _ db: Database) throws -> [String] {
        var claimed: [String] = []
        var looked: Set<String> = []
        var round = Set(candidates)
        while !round.isEmpty {
            var dropped = false
            for sha in round {
                looked.insert(sha)
                let row = try BlobRow.fetchOne(db, key: sha)
                if let row, row.refCount != 0 { continue }
                guard blobs.claimForCollection(sha) else { continue }
                if let row {
                    try row.delete(db)
                    dropped = true
                }
                claimed.append(sha)
            }
            guard dropped else { break }
            round = Set(try Self.unreferencedBlobs(db)).subtracting(looked)
        }
        return claimed
    }

    /// Collects after a delete; a failure only delays the collection to the next pass.
    func collectQuietly(_ candidates: [String]) async {
        do {
            try await collectGarbage(candidates: candidates)
        } catch {
            logger.warning("blob collection failed; the next pass retries", metadata: ["error": "\(error)"])
        }
    }

    /// How long the store remembers a file the janitor removed because it expired (`lookup` answers `.expired`):
    /// 400 days, longer than any retention the chat services a face imitates advertise, so a client asking for an
    /// old file hears "expired" for as long as the real service would say so.
    public static let tombstoneSeconds: Int64 = 400 * 86_400

    /// Deletes every file whose `deadTime` has passed, leaving a tombstone of each (`lookup`), drops the
    /// tombstones older than `tombstoneSeconds` and forgets the used tickets that have expired (a commit refuses an
    /// expired ticket without looking for its row), all in one transaction. Returns how many files went.
    @discardableResult
    public func expireFiles() async throws -> Int {
        let now = clock()
        let (count, orphans) = try await write { db -> (Int, [String]) in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO expired_file (id, kind, owner, name, dead_time, secret_required, removed_at)
                        SELECT file.id, space.kind, space.owner, file.name, file.dead_time, file.secret_required, ?
                        FROM file JOIN space ON space.id = file.space_id
                        WHERE file.dead_time > 0 AND file.dead_time <= ?
                    """, arguments: [now, now])
            try db.execute(sql: "DELETE FROM file WHERE dead_time > 0 AND dead_time <= ?", arguments: [now])
            let count = db.changesCount
            try db.execute(
                sql: "DELETE FROM expired_file WHERE removed_at <= ?", arguments: [now - Self.tombstoneSeconds])
            try db.execute(sql: "DELETE FROM used_ticket WHERE expires_at <= ?", arguments: [now])
            return (count, try Self.unreferencedBlobs(db))
        }
        await collectQuietly(orphans)
        if count > 0 { logger.info("expired files removed", metadata: ["count": "\(count)"]) }
        return count
    }
}

extension FileTree {
    /// Whether the database answers and the blob store accepts writes.
    public func isHealthy() async -> Bool {
        let databaseOK = (try? await read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
        return databaseOK && access(directory.tmpPath, W_OK) == 0 && access(directory.blobsPath, W_OK) == 0
    }
}
