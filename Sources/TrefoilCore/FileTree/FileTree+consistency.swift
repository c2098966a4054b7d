import Dispatch
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
    /// Every blob row: its size and how many files and derivations use it.
    var blobs: [(sha: String, size: Int64, fileRefs: Int64, derivedRefs: Int64)] = []
    /// Every derivation: its source blob, variant, output blob and the output's recorded size.
    var derived: [(source: String, variant: String, sha: String, size: Int64)] = []
}

extension FileTree {
    /// Checks rows against blobs against counters; with `repair`, recomputes the counters and
    /// removes temp files, orphan blobs and unreferenced blobs. A file's blob that is missing or has the
    /// wrong size is reported but cannot be repaired: its bytes are gone. A derived blob that is missing or has
    /// the wrong size is reported and, with `repair`, forgotten: it is made again when next asked for.
    public func checkConsistency(repair: Bool) throws -> ConsistencyReport {
        var report = ConsistencyReport()
        let db = database.writer
        let rows = try db.read { try Self.checkRows($0) }
        report.problems = rows.problems
        let disk = checkDisk(rows)
        report.problems += disk.problems
        report.problems += blobs.tempFileNames().map { "temp file tmp/\($0) left behind" }
        let damagedDerivations = disk.damagedDerivations

        guard repair, !report.isClean else { return report }
        defer {
            usage.invalidate()
            derivedCache.invalidate()
        }
        try db.write { db in
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
        }
        if !damagedDerivations.isEmpty {
            report.repairs.append(
                "forgot \(damagedDerivations.count) derived blobs whose bytes were missing or damaged; they are made again when asked for"
            )
        }
        report.repairs.append("recomputed space, folder and blob counters")
        let removedTemps = blobs.removeTempFiles()
        if removedTemps > 0 { report.repairs.append("removed \(removedTemps) temp files") }
        let collected = try collectGarbage()
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
        return await DispatchQueue.blockingCalls.perform {
            var report = ConsistencyReport()
            report.problems = rows.problems + self.checkDisk(rows).problems
            let temps = self.blobs.tempFileNames()
            if !temps.isEmpty {
                report.notes.append(
                    "\(temps.count) temp files in tmp/: uploads under way, or left by a crash (removed at the next start)"
                )
            }
            return report
        }
    }

    /// The checks among the rows (SQLite's own, counters, reference counts, sizes), in the snapshot of `db`.
    static func checkRows(_ db: Database) throws -> RowCheck {
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
                SELECT sha256, size, ref_count,
                    (SELECT count(*) FROM file WHERE file.sha256 = blob.sha256) AS file_refs,
                    (SELECT count(*) FROM derived_blob
                        WHERE derived_blob.sha256 = blob.sha256 AND derived_blob.source <> blob.sha256) AS derived_refs
                FROM blob
                """)
        for row in blobRows {
            let sha: String = row["sha256"]
            let (size, refs, fileRefs, derivedRefs): (Int64, Int64, Int64, Int64) =
                (row["size"], row["ref_count"], row["file_refs"], row["derived_refs"])
            let realRefs = fileRefs + derivedRefs
            if refs != realRefs { check.problems.append("blob \(sha): ref_count \(refs), referenced by \(realRefs)") }
            if realRefs == 0 { check.problems.append("blob \(sha): unreferenced") }
            check.blobs.append((sha, size, fileRefs, derivedRefs))
        }
        check.derived = try Row.fetchAll(
            db,
            sql: """
                SELECT derived_blob.source, derived_blob.variant, derived_blob.sha256, blob.size
                FROM derived_blob JOIN blob ON blob.sha256 = derived_blob.sha256
                """
        ).map { ($0[0], $0[1], $0[2], $0[3]) }
        let mismatched = try String.fetchAll(
            db, sql: "SELECT file.id FROM file JOIN blob USING (sha256) WHERE file.size <> blob.size")
        check.problems += mismatched.map { "file \($0): size differs from its blob" }
        return check
    }

    /// The blob folder against the rows: missing or resized blobs and derived blobs, and blobs without a row.
    func checkDisk(_ rows: RowCheck) -> (problems: [String], damagedDerivations: [(source: String, variant: String)]) {
        var problems: [String] = []
        for blob in rows.blobs {
            // A blob only derivations use is reported with them, below.
            guard blob.fileRefs > 0 || blob.derivedRefs == 0 else { continue }
            switch blobs.storedSize(blob.sha) {
            case nil: problems.append("blob \(blob.sha): missing on disk (referenced by \(blob.fileRefs) files)")
            case let onDisk? where onDisk != blob.size:
                problems.append("blob \(blob.sha): \(onDisk) bytes on disk, \(blob.size) recorded")
            default: break
            }
        }
        var damaged: [(source: String, variant: String)] = []
        for derivation in rows.derived {
            let problem: String
            switch blobs.storedSize(derivation.sha) {
            case nil: problem = "blob \(derivation.sha) missing on disk"
            case let onDisk? where onDisk != derivation.size:
                problem = "blob \(derivation.sha) has \(onDisk) bytes on disk, \(derivation.size) recorded"
            default: continue
            }
            problems.append("derived \(derivation.variant) of blob \(derivation.source): \(problem)")
            damaged.append((derivation.source, derivation.variant))
        }
        let known = Set(rows.blobs.map(\.sha))
        problems += blobs.storedHashes().filter { !known.contains($0) }.map {
            "blob \($0): on disk without a row (orphan)"
        }
        return (problems, damaged)
    }
}
