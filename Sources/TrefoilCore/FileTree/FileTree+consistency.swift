import Crypto
import Dispatch
import Foundation
import GRDB

/// What `trefoil fsck` (or the console's live check) found, and what it fixed.
public struct ConsistencyReport: Sendable, Equatable {
    /// One line per inconsistency found.
    public var problems: [String] = []
    /// One line per fix applied (with `repair`).
    public var repairs: [String] = []
    /// What a check of a serving store saw but cannot judge: temp files of uploads under way look like a crash's.
    public var notes: [String] = []

    public var isClean: Bool { problems.isEmpty }
}

/// What the database says, read in one snapshot: the problems among the rows, and the blobs the disk must hold.
struct RowCheck: Sendable {
    var problems: [String] = []
    /// Every blob row whose bytes the backend keeps: its size and how many files and derivations use it. (The rows
    /// whose bytes are in the database are checked with the rows.)
    var blobs: [(sha: String, size: Int64, fileRefs: Int64, derivedRefs: Int64)] = []
    /// Every derivation: its source blob, variant, output blob and the output's recorded size.
    var derived: [(source: String, variant: String, sha: String, size: Int64)] = []
}

extension FileTree {
    /// Checks rows against blobs against counters; with `repair`, recomputes the counters and
    /// removes temp files, orphan blobs and unreferenced blobs. A file's blob that is missing or has the
    /// wrong size is reported but cannot be repaired: its bytes are gone. A derived blob that is missing or has
    /// the wrong size is reported and, with `repair`, forgotten: it is made again when next asked for.
    ///
    /// With a remote backend every referenced blob is asked for its size (one `HEAD` each) and the bucket's prefix is
    /// listed for orphans; `deep` also reads every blob back and checks its SHA-256.
    public func checkConsistency(repair: Bool, deep: Bool = false) async throws -> ConsistencyReport {
        var report = ConsistencyReport()
        let db = database.writer
        let rows = try await db.read { try Self.checkRows($0, deep: deep) }
        report.problems = rows.problems
        let disk = try await checkBlobs(rows, deep: deep)
        report.problems += disk.problems
        report.problems += blobs.tempFileNames().map { "temp file tmp/\($0) left behind" }
        let damagedDerivations = disk.damagedDerivations

        guard repair, !report.isClean else { return report }
        defer {
            writeEnded()
            derivedCache.invalidate()
        }
        try await db.write { db in
            for (source, variant) in damagedDerivations {
                try db.execute(
                    sql: "DELETE FROM derived_blob WHERE source = ? AND variant = ?", arguments: [source, variant])
            }
            try db.execute(
                sql: """
                    UPDATE space SET
                        used_space = (SELECT coalesce(sum(size), 0) FROM file WHERE file.space_id = space.id),
                        file_count = (SELECT count(*) FROM file WHERE file.space_id = space.id);
                    UPDATE folder SET file_count =
                        (SELECT count(*) FROM file WHERE file.space_id = folder.space_id AND file.folder_id = folder.id);
                    UPDATE blob SET ref_count = (SELECT count(*) FROM file WHERE file.sha256 = blob.sha256)
                        + (SELECT count(*) FROM derived_blob
                            WHERE derived_blob.sha256 = blob.sha256 AND derived_blob.source <> blob.sha256);
                    """)
            try db.execute(
                sql: "UPDATE store_totals SET file_blob_bytes = ? WHERE id = 1",
                arguments: [try Self.fileBlobBytes(db).real])
        }
        if !damagedDerivations.isEmpty {
            report.repairs.append(
                "forgot \(damagedDerivations.count) derived blobs whose bytes were missing or damaged; they are made again when asked for"
            )
        }
        report.repairs.append("recomputed space, folder, blob and store counters")
        let removedTemps = blobs.removeTempFiles()
        if removedTemps > 0 { report.repairs.append("removed \(removedTemps) temp files") }
        let undone = try await recoverPendingWrites()
        if undone > 0 {
            report.repairs.append("undid \(undone) interrupted writes to the \(blobs.backend.name) backend")
        }
        let collected = try await collectGarbage(listing: true)
        if collected > 0 { report.repairs.append("removed \(collected) orphan or unreferenced blobs") }
        return report
    }

    /// `checkConsistency(repair: false)` for a store that is serving, without stopping it: what the console runs.
    ///
    /// The rows are read in one snapshot, so counters are judged against the rows of the same moment whatever is
    /// written meanwhile. What a write under way leaves for an instant (a blob placed before its row commits, a
    /// deleted file's blob not yet collected, a blob removed after the snapshot listed it) is told from damage by
    /// checking twice, `settle` apart: only what both passes find is reported. Temp files are notes, not problems:
    /// an upload under way has one. Nothing is repaired; that takes `trefoil fsck --repair` on a stopped store.
    public func checkConsistencyWhileServing(settle: Duration = .milliseconds(500)) async throws -> ConsistencyReport {
        let first = try await serveTimePass()
        guard !first.isClean else { return first }
        try await Task.sleep(for: settle)
        var second = try await serveTimePass()
        second.problems = second.problems.filter(first.problems.contains)
        return second
    }

    private func serveTimePass() async throws -> ConsistencyReport {
        let rows = try await read { try Self.checkRows($0) }
        let problems = rows.problems + (try await checkBlobs(rows, deep: false)).problems
        return await DispatchQueue.blockingCalls.perform {
            var report = ConsistencyReport()
            report.problems = problems
            let temps = self.blobs.tempFileNames()
            if !temps.isEmpty {
                report.notes.append(
                    "\(temps.count) temp files in tmp/: uploads under way, or left by a crash (removed at the next start)"
                )
            }
            return report
        }
    }

    /// The checks among the rows (SQLite's own, counters, reference counts, sizes, the bytes kept in the database;
    /// with `deep`, their SHA-256 too), in the snapshot of `db`.
    static func checkRows(_ db: Database, deep: Bool = false) throws -> RowCheck {
        var check = RowCheck()
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
        if integrity != ["ok"] { check.problems += integrity.map { "sqlite integrity: \($0)" } }
        for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
            check.problems.append(
                "sqlite foreign key: table \(row[0] as String? ?? "?") rowid \(row[1] as Int64? ?? 0)")
        }

        let counters = try Row.fetchAll(
            db,
            sql: """
                SELECT space.id, space.kind, space.owner, space.used_space, space.file_count,
                    coalesce(sum(file.size), 0) AS real_space, count(file.id) AS real_count
                FROM space LEFT JOIN file ON file.space_id = space.id GROUP BY space.id
                """)
        for row in counters {
            let (used, count, realUsed, realCount): (Int64, Int64, Int64, Int64) =
                (row["used_space"], row["file_count"], row["real_space"], row["real_count"])
            if used != realUsed || count != realCount {
                check.problems.append(
                    "\(row["kind"] as String) \(row["owner"] as String): counters say \(count) files / \(used) bytes, rows say \(realCount) / \(realUsed)"
                )
            }
        }

        let folderCounts = try Row.fetchAll(
            db,
            sql: """
                SELECT folder.space_id, folder.id, folder.file_count,
                    (SELECT count(*) FROM file WHERE file.space_id = folder.space_id AND file.folder_id = folder.id) AS real_count
                FROM folder
                """)
        for row in folderCounts where (row["file_count"] as Int64) != (row["real_count"] as Int64) {
            check.problems.append(
                "folder \(row["id"] as String) of space \(row["space_id"] as Int64): counts \(row["file_count"] as Int64) files, holds \(row["real_count"] as Int64)"
            )
        }

        // A blob's references: the files with its bytes and the derivations whose output it is (a derivation whose
        // output is its source's own bytes holds none: see migration v4).
        let blobRows = try Row.fetchAll(
            db,
            sql: """
                SELECT sha256, size, ref_count, in_database,
                    (SELECT count(*) FROM file WHERE file.sha256 = blob.sha256) AS file_refs,
                    (SELECT count(*) FROM derived_blob
                        WHERE derived_blob.sha256 = blob.sha256 AND derived_blob.source <> blob.sha256) AS derived_refs,
                    (SELECT length(bytes) FROM blob_bytes WHERE blob_bytes.sha256 = blob.sha256) AS kept_bytes
                FROM blob
                """)
        for row in blobRows {
            let sha: String = row["sha256"]
            let (size, refs, fileRefs, derivedRefs): (Int64, Int64, Int64, Int64) =
                (row["size"], row["ref_count"], row["file_refs"], row["derived_refs"])
            let realRefs = fileRefs + derivedRefs
            if refs != realRefs { check.problems.append("blob \(sha): ref_count \(refs), referenced by \(realRefs)") }
            if realRefs == 0 { check.problems.append("blob \(sha): unreferenced") }
            let kept: Int64? = row["kept_bytes"]
            guard row["in_database"] as Bool else {
                if kept != nil {
                    check.problems.append("blob \(sha): bytes in the database, but its row says the backend")
                }
                check.blobs.append((sha, size, fileRefs, derivedRefs))
                continue
            }
            guard let kept else {
                check.problems.append("blob \(sha): missing from the database (referenced by \(fileRefs) files)")
                continue
            }
            if kept != size {
                check.problems.append("blob \(sha): \(kept) bytes in the database, \(size) recorded")
            } else if deep,
                let bytes = try Data.fetchOne(
                    db, sql: "SELECT bytes FROM blob_bytes WHERE sha256 = ?", arguments: [sha])
            {
                let actual = SHA256.hash(data: bytes).hexString
                if actual != sha { check.problems.append("blob \(sha): its bytes in the database hash to \(actual)") }
            }
        }
        check.derived = try Row.fetchAll(
            db,
            sql: """
                SELECT derived_blob.source, derived_blob.variant, derived_blob.sha256, blob.size
                FROM derived_blob JOIN blob ON blob.sha256 = derived_blob.sha256
                """
        ).map { ($0[0], $0[1], $0[2], $0[3]) }
        let (kept, real) = try Self.fileBlobBytes(db)
        if kept != real {
            check.problems.append("store totals: \(kept) bytes of blobs in use by files recorded, \(real) in the rows")
        }
        let mismatched = try String.fetchAll(
            db, sql: "SELECT file.id FROM file JOIN blob USING (sha256) WHERE file.size <> blob.size")
        check.problems += mismatched.map { "file \($0): size differs from its blob" }
        return check
    }

    /// `store_totals.file_blob_bytes` as kept, and as the rows have it.
    static func fileBlobBytes(_ db: Database) throws -> (kept: Int64, real: Int64) {
        let kept = try Int64.fetchOne(db, sql: "SELECT file_blob_bytes FROM store_totals WHERE id = 1") ?? -1
        let real =
            try Int64.fetchOne(
                db,
                sql:
                    "SELECT coalesce(sum(size), 0) FROM blob WHERE EXISTS (SELECT 1 FROM file WHERE file.sha256 = blob.sha256)"
            ) ?? 0
        return (kept, real)
    }

    /// The backend against the rows: missing or resized blobs and derived blobs, blobs without a row, and (with
    /// `deep`) blobs whose bytes do not hash to their name.
    func checkBlobs(_ rows: RowCheck, deep: Bool) async throws -> (
        problems: [String], damagedDerivations: [(source: String, variant: String)]
    ) {
        let place = blobs.disk == nil ? "in the \(blobs.backend.name) backend" : "on disk"
        var problems: [String] = []
        for blob in rows.blobs {
            // A blob only derivations use is reported with them, below.
            guard blob.fileRefs > 0 || blob.derivedRefs == 0 else { continue }
            switch try await check(blob.sha, size: blob.size, deep: deep) {
            case nil: break
            case .missing: problems.append("blob \(blob.sha): missing \(place) (referenced by \(blob.fileRefs) files)")
            case .size(let stored): problems.append("blob \(blob.sha): \(stored) bytes \(place), \(blob.size) recorded")
            case .hash(let actual): problems.append("blob \(blob.sha): its bytes \(place) hash to \(actual)")
            }
        }
        var damaged: [(source: String, variant: String)] = []
        for derivation in rows.derived {
            let problem: String
            switch try await check(derivation.sha, size: derivation.size, deep: deep) {
            case nil: continue
            case .missing: problem = "blob \(derivation.sha) missing \(place)"
            case .size(let stored):
                problem = "blob \(derivation.sha) has \(stored) bytes \(place), \(derivation.size) recorded"
            case .hash(let actual): problem = "blob \(derivation.sha): its bytes \(place) hash to \(actual)"
            }
            problems.append("derived \(derivation.variant) of blob \(derivation.source): \(problem)")
            damaged.append((derivation.source, derivation.variant))
        }
        let known = Set(rows.blobs.map(\.sha))
        problems += try await blobs.storedHashes().filter { !known.contains($0) }.map {
            "blob \($0): \(place) without a row (orphan)"
        }
        return (problems, damaged)
    }

    private enum BlobDamage {
        case missing
        case size(Int64)
        case hash(String)
    }

    /// What is wrong with one stored blob, or nil.
    private func check(_ sha: String, size: Int64, deep: Bool) async throws -> BlobDamage? {
        guard let stored = try await blobs.storedSize(sha) else { return .missing }
        if stored != size { return .size(stored) }
        guard deep else { return nil }
        let actual = try await blobs.backend.sha256(of: sha, size: size)
        return actual == sha ? nil : .hash(actual)
    }
}
