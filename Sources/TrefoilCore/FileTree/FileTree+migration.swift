import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `FileTree.migrateBlobs(to:concurrency:)` did.
public struct BlobMigrationReport: Sendable, Equatable {
    /// Blobs this run put in the target (or found there whole) and verified.
    public var copied = 0
    /// The bytes of those blobs.
    public var copiedBytes: Int64 = 0
    /// Blobs an earlier, interrupted run had already verified in the same target.
    public var skipped = 0
    /// One line per blob that could not be moved, by its SHA-256.
    public var failures: [String] = []

    /// Every blob is in the target, verified.
    public var isComplete: Bool { failures.isEmpty }
}

extension FileTree {
    /// Copies every blob that has a row from this tree's backend to `target`, for `trefoil blobs migrate`; the
    /// caller holds the directory's lock, so that nothing else writes the store meanwhile. Blobs whose bytes are in
    /// the database stay there: they belong to no backend.
    ///
    /// Each blob goes through the target's own `store` (an S3 object appears whole or not at all; a file in `blobs/`
    /// by a rename from `tmp/`) and is then read back from the target: only a copy of the right size whose bytes hash
    /// to its name is recorded as verified (`blob_migration`), so that a run killed half-way resumes where it was and
    /// never trusts a copy it did not check. Source bytes are checked before they are written (on this machine; a
    /// remote source's bytes are checked as the target has them), so a damaged blob never replaces a good copy.
    /// A blob whose source bytes are missing or wrong is reported and left out; the others go on. The source's
    /// bytes are never removed; the temp files a crash left in `tmp/` are, as at every start.
    ///
    /// `concurrency` blobs are copied at a time: each costs a few round trips to a remote backend, which is what a
    /// migration spends its time on.
    ///
    /// Throws when the target or the database fails (what was verified stays recorded), or `.internalError` when the
    /// target is the tree's own backend.
    public func migrateBlobs(to target: any BlobBackend, concurrency: Int = 4) async throws -> BlobMigrationReport {
        let source = blobs.backend
        guard source.name != target.name else {
            throw TrefoilError.internalError("the blobs are already on \(target.name)")
        }
        _ = blobs.removeTempFiles()
        if blobs.disk != nil { try await undoInterruptedCopies(to: target) }
        let name = target.name
        let rows = try await write { db -> [(sha: String, size: Int64)] in
            // A row for another target is from a move the admin gave up: its copies are not this move's.
            try db.execute(sql: "DELETE FROM blob_migration WHERE target <> ?", arguments: [name])
            return try Row.fetchAll(db, sql: "SELECT sha256, size FROM blob WHERE in_database = 0 ORDER BY sha256").map
            {
                ($0[0], $0[1])
            }
        }
        let verified = try await blobsMigrated(to: name)
        var report = BlobMigrationReport()
        report.skipped = rows.count { verified.contains($0.sha) }
        var waiting = rows.filter { !verified.contains($0.sha) }.makeIterator()
        try await withThrowingTaskGroup(of: (sha: String, size: Int64, outcome: MigratedBlob).self) { group in
            func startNext() {
                guard let row = waiting.next() else { return }
                group.addTask {
                    (row.sha, row.size, try await self.migrate(row.sha, size: row.size, from: source, to: target))
                }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            while let done = try await group.next() {
                switch done.outcome {
                case .verified(let journalID):
                    try await recordMigrated(done.sha, to: name, journalID: journalID)
                    report.copied += 1
                    report.copiedBytes += done.size
                case .failed(let problem):
                    report.failures.append("blob \(done.sha): \(problem)")
                }
                startNext()
            }
        }
        report.failures.sort()
        if report.isComplete {
            try await write { db in try db.execute(sql: "DELETE FROM blob_migration") }
        }
        return report
    }

    /// The blobs a migration to `target` (`disk` or `s3`) has copied and verified so far; empty once it completed.
    public func blobsMigrated(to target: String) async throws -> Set<String> {
        try await read { db in
            Set(try String.fetchAll(db, sql: "SELECT sha256 FROM blob_migration WHERE target = ?", arguments: [target]))
        }
    }

    private enum MigratedBlob {
        case verified(journalID: Int64?)
        case failed(String)
    }

    private func migrate(_ sha: String, size: Int64, from source: any BlobBackend, to target: any BlobBackend)
        async throws -> MigratedBlob
    {
        let local: String
        var fetched: String?
        if let path = source.localPath(sha) {
            guard let stored = try await source.storedSize(sha) else { return .failed("missing in \(source.name)") }
            guard stored == size else { return .failed("\(stored) bytes in \(source.name), \(size) recorded") }
            let actual = try await source.sha256(of: sha, size: size)
            guard actual == sha else { return .failed("its bytes in \(source.name) hash to \(actual)") }
            local = path
        } else {
            let temp = "\(directory.tmpPath)/\(UUID().uuidString.lowercased()).migrate"
            fetched = temp
            do {
                try await source.copy(sha, range: nil, to: temp)
            } catch TrefoilError.fileNotFound {
                unlink(temp)
                return .failed("missing in \(source.name)")
            } catch {
                unlink(temp)
                throw error
            }
            let stored = Self.fileSize(temp) ?? 0
            guard stored == size else {
                unlink(temp)
                return .failed("\(stored) bytes in \(source.name), \(size) recorded")
            }
            local = temp
        }
        // Whatever `store` did not move into place is this run's own fetched copy, never the source's file.
        defer { if let fetched { unlink(fetched) } }
        let upload = BlobUpload(path: local, size: size, sha256: sha)
        let first = try await target.store(upload, overwrite: false, journal: blobs.journal)
        var journalID = first.journalID
        guard var problem = try await damage(of: sha, size: size, in: target) else {
            return .verified(journalID: journalID)
        }
        if !first.consumedTemp && journalID == nil {
            // The target had something of that size under the name, and it is not the blob: replaced.
            journalID = try await target.store(upload, overwrite: true, journal: blobs.journal).journalID
            guard let again = try await damage(of: sha, size: size, in: target) else {
                return .verified(journalID: journalID)
            }
            problem = again
        }
        // Never left where a server on the target would take it for the blob.
        try await target.remove(sha)
        if let journalID { try await blobs.journal.end(journalID) }
        return .failed(problem)
    }

    /// Nil when the target has the blob whole: its size, and its bytes, read back from there, hashing to its name.
    private func damage(of sha: String, size: Int64, in target: any BlobBackend) async throws -> String? {
        guard let stored = try await target.storedSize(sha) else { return "missing in \(target.name) after the copy" }
        guard stored == size else { return "\(stored) bytes in \(target.name) after the copy, \(size) recorded" }
        let actual = try await target.sha256(of: sha, size: size)
        return actual == sha ? nil : "its copy in \(target.name) hashes to \(actual)"
    }

    /// Records a verified copy, and ends the journal row of its write in the same transaction: the blob's row
    /// already references it.
    private func recordMigrated(_ sha: String, to target: String, journalID: Int64?) async throws {
        let now = clock()
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO blob_migration (sha256, target, verified_at) VALUES (?, ?, ?)",
                arguments: [sha, target, now])
            if let journalID { try db.execute(sql: "DELETE FROM blob_pending WHERE id = ?", arguments: [journalID]) }
        }
    }

    /// Undoes the writes to `target` a killed run started and did not record: the local folder keeps no journal, so
    /// with it as the source every row of `blob_pending` is one of them. An object whose blob has no row any more
    /// (the server ran on the local folder since, and collected it) is removed: no start-up of the target will see it.
    private func undoInterruptedCopies(to target: any BlobBackend) async throws {
        for write in try await blobs.journal.pending() {
            try await target.abandon(write)
            let referenced = try await read { db in
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM blob WHERE sha256 = ? AND in_database = 0)",
                    arguments: [write.sha256])
                    ?? false
            }
            if !referenced { try await target.remove(write.sha256) }
            try await blobs.journal.end(write.id)
        }
    }
}
