import GRDB

#if canImport(Glibc)
    import Glibc
#endif

extension FileTree {
    /// Removes every blob that no file references: unreferenced rows and files on disk without a row
    /// (left by a crash between the rename and the commit). Returns how many blobs went.
    ///
    /// Synchronous, for the local folder's start-up, before anything else uses the store.
    @discardableResult
    func collectGarbage() throws -> Int {
        guard let disk = blobs.disk else {
            throw TrefoilError.internalError("a remote backend's store is opened with the async FileTree.open")
        }
        let onDisk = disk.hashesNow()
        let now = clock()
        let (known, unreferenced) = try database.writer.read { db in
            (
                Set(try String.fetchAll(db, sql: "SELECT sha256 FROM blob WHERE in_database = 0")),
                try Self.unreferencedBlobs(db)
            )
        }
        let candidates = unreferenced + onDisk.filter { !known.contains($0) }
        guard !candidates.isEmpty else { return 0 }
        defer { writeEnded() }
        let claimed = try database.writer.write { db in try self.claim(candidates, db, now: now) }
        if claimed.rows > 0 { derivedCache.invalidate() }
        return claimed.inDatabase + claimed.backend.filter(blobs.removeIfStillClaimedNow).count
    }

    /// Removes every blob that no file references, and (with `listing`) every stored blob without a row, which
    /// on a live store may be an upload's between its placement and its commit: only with the store stopped.
    @discardableResult
    func collectGarbage(listing: Bool) async throws -> Int {
        var candidates = try await read(Self.unreferencedBlobs)
        if listing {
            let known = Set(
                try await read { db in try String.fetchAll(db, sql: "SELECT sha256 FROM blob WHERE in_database = 0") })
            candidates += try await blobs.storedHashes().filter { !known.contains($0) }
        }
        return try await collectGarbage(candidates: candidates)
    }

    /// Removes blobs whose last reference went away (cheap: no walk of the blob folder), once their grace period
    /// (`Settings.blobGraceSeconds`) has passed.
    @discardableResult
    public func collectUnreferencedBlobs() async throws -> Int {
        try await collectGarbage(candidates: try await read(Self.unreferencedBlobs))
    }

    /// Removes those of `candidates` that are unreferenced and not pinned by an upload in flight.
    @discardableResult
    func collectGarbage(candidates: [String]) async throws -> Int {
        guard !candidates.isEmpty else { return 0 }
        let now = clock()
        let claimed = try await write { db in try self.claim(candidates, db, now: now) }
        if claimed.rows > 0 { derivedCache.invalidate() }
        var removed = claimed.inDatabase
        for sha in claimed.backend where await blobs.removeIfStillClaimed(sha) { removed += 1 }
        return removed
    }

    /// Inside the collector's transaction: drops the rows of unreferenced, unpinned candidates past their grace
    /// period and claims their bytes.
    ///
    /// Dropping a source blob's row drops the rows of the blobs derived from it, whose triggers release those
    /// blobs: they are looked at in the same pass, round after round until a round drops no row. With a grace
    /// period, an unreferenced row is first marked with the moment it was seen unreferenced (`unused_since`, cleared
    /// by a trigger when a reference comes back) and dropped by a later pass once the period has passed.
    ///
    /// A blob whose bytes are in the database goes with its row (no grace period: no link to its bytes outlives the
    /// row, and nothing is sent anywhere); the others are claimed for the caller to remove (`backend`). `rows`: rows
    /// dropped in all.
    private func claim(_ candidates: [String], _ db: Database, now: Int64) throws -> (
        backend: [String], inDatabase: Int, rows: Int
    ) {
        let grace = settings.blobGraceSeconds
        var claimed: [String] = []
        var inDatabase = 0
        var rows = 0
        var looked: Set<String> = []
        var round = Set(candidates)
        while !round.isEmpty {
            var dropped = false
            for sha in round {
                looked.insert(sha)
                let row = try BlobRow.fetchOne(db, key: sha)
                if let row, row.refCount != 0 { continue }
                if let row, row.inDatabase {
                    try row.delete(db)
                    dropped = true
                    inDatabase += 1
                    rows += 1
                    continue
                }
                if grace > 0, row != nil {
                    let since = try Int64.fetchOne(
                        db, sql: "SELECT unused_since FROM blob WHERE sha256 = ?", arguments: [sha])
                    guard let since else {
                        try db.execute(
                            sql: "UPDATE blob SET unused_since = ? WHERE sha256 = ?", arguments: [now, sha])
                        continue
                    }
                    if now - since < grace { continue }
                }
                guard blobs.claimForCollection(sha) else { continue }
                if let row {
                    try row.delete(db)
                    dropped = true
                    rows += 1
                }
                claimed.append(sha)
            }
            guard dropped else { break }
            round = Set(try Self.unreferencedBlobs(db)).subtracting(looked)
        }
        return (claimed, inDatabase, rows)
    }

    /// Collects after a delete; a failure only delays the collection to the next pass. `journalID`: the backend's
    /// journal row of a write whose commit failed, ended once its bytes were collected (on failure it stays, for
    /// `recoverPendingWrites`).
    func collectQuietly(_ candidates: [String], ending journalID: Int64? = nil) async {
        do {
            try await collectGarbage(candidates: candidates)
            if let journalID { try await blobs.journal.end(journalID) }
        } catch {
            logger.warning("blob collection failed; the next pass retries", metadata: ["error": "\(error)"])
        }
    }

    /// Undoes the backend's writes that were started and not ended (`BlobJournal`): aborts their multipart uploads,
    /// collects the bytes of those whose blob no row references (in the collector's transaction, as any blob), and
    /// forgets them. At start-up every recorded write is a crash's; on a live store (`olderThan`) only writes older
    /// than that many seconds whose blob no upload has pinned. Returns how many writes were undone.
    @discardableResult
    public func recoverPendingWrites(olderThan age: Int64? = nil) async throws -> Int {
        let now = clock()
        var undone = 0
        for write in try await blobs.journal.pending() {
            if let age, now - write.startedAt < age || blobs.isPinned(write.sha256) { continue }
            try await blobs.backend.abandon(write)
            try await collectGarbage(candidates: [write.sha256])
            try await blobs.journal.end(write.id)
            undone += 1
        }
        return undone
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
