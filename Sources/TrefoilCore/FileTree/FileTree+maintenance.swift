import GRDB

#if canImport(Glibc)
    import Glibc
#endif

extension FileTree {
    /// Removes every blob that no file references: unreferenced rows and files on disk without a row
    /// (left by a crash between the rename and the commit). Returns how many blobs went.
    @discardableResult
    public func collectGarbage() throws -> Int {
        let onDisk = blobs.storedHashes()
        let (known, unreferenced) = try database.writer.read { db in
            (Set(try String.fetchAll(db, sql: "SELECT sha256 FROM blob")), try Self.unreferencedBlobs(db))
        }
        return try collectGarbage(candidates: unreferenced + onDisk.filter { !known.contains($0) })
    }

    /// Removes blobs whose last reference went away (cheap: no walk of the blob folder).
    @discardableResult
    public func collectUnreferencedBlobs() throws -> Int {
        try collectGarbage(candidates: try database.writer.read(Self.unreferencedBlobs))
    }

    /// Removes those of `candidates` that are unreferenced and not pinned by an upload in flight.
    ///
    /// Holds the pin lock throughout, so an upload cannot pin a blob between the check and the unlink.
    @discardableResult
    func collectGarbage(candidates: [String]) throws -> Int {
        guard !candidates.isEmpty else { return 0 }
        return try blobs.withPinsLocked { pinned in
            let doomed = try database.writer.write { db -> [String] in
                var doomed: [String] = []
                for sha in Set(candidates) where !pinned.contains(sha) {
                    if let row = try BlobRow.fetchOne(db, key: sha) {
                        guard row.refCount == 0 else { continue }
                        try row.delete(db)
                    }
                    doomed.append(sha)
                }
                return doomed
            }
            for sha in doomed { blobs.remove(sha) }
            return doomed.count
        }
    }

    /// Collects after a delete; a failure only delays the collection to the next pass.
    func collectQuietly(_ candidates: [String]) {
        do {
            try collectGarbage(candidates: candidates)
        } catch {
            logger.warning("blob collection failed; the next pass retries", metadata: ["error": "\(error)"])
        }
    }

    /// Deletes every file whose `deadTime` has passed. Returns how many went.
    @discardableResult
    public func expireFiles() async throws -> Int {
        let now = clock()
        let (count, orphans) = try await write { db -> (Int, [String]) in
            try db.execute(sql: "DELETE FROM file WHERE dead_time > 0 AND dead_time <= ?", arguments: [now])
            return (db.changesCount, try Self.unreferencedBlobs(db))
        }
        collectQuietly(orphans)
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
