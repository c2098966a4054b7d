import GRDB

/// What `trefoil fsck` found, and what it fixed.
public struct ConsistencyReport: Sendable, Equatable {
    /// One line per inconsistency found.
    public var problems: [String] = []
    /// One line per fix applied (with `repair`).
    public var repairs: [String] = []

    public var isClean: Bool { problems.isEmpty }
}

extension FileTree {
    /// Checks rows against blobs against counters; with `repair`, recomputes the counters and
    /// removes temp files, orphan blobs and unreferenced blobs. A file's blob that is missing or has the
    /// wrong size is reported but cannot be repaired: its bytes are gone. A derived blob that is missing or has
    /// the wrong size is reported and, with `repair`, forgotten: it is made again when next asked for.
    public func checkConsistency(repair: Bool) throws -> ConsistencyReport {
        var report = ConsistencyReport()
        let db = database.writer

        let integrity = try db.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        if integrity != ["ok"] { report.problems += integrity.map { "sqlite integrity: \($0)" } }
        let foreignKeys = try db.read { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check") }
        for row in foreignKeys {
            report.problems.append(
                "sqlite foreign key: table \(row[0] as String? ?? "?") rowid \(row[1] as Int64? ?? 0)")
        }

        let counters = try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT space.id, space.kind, space.owner, space.used_space, space.file_count,
                        coalesce(sum(file.size), 0) AS real_space, count(file.id) AS real_count
                    FROM space LEFT JOIN file ON file.space_id = space.id GROUP BY space.id
                    """)
        }
        for row in counters {
            let (used, count, realUsed, realCount): (Int64, Int64, Int64, Int64) =
                (row["used_space"], row["file_count"], row["real_space"], row["real_count"])
            if used != realUsed || count != realCount {
                report.problems.append(
                    "\(row["kind"] as String) \(row["owner"] as String): counters say \(count) files / \(used) bytes, rows say \(realCount) / \(realUsed)"
                )
            }
        }

        let folderCounts = try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT folder.space_id, folder.id, folder.file_count,
                        (SELECT count(*) FROM file WHERE file.space_id = folder.space_id AND file.folder_id = folder.id) AS real_count
                    FROM folder
                    """)
        }
        for row in folderCounts where (row["file_count"] as Int64) != (row["real_count"] as Int64) {
            report.problems.append(
                "folder \(row["id"] as String) of space \(row["space_id"] as Int64): counts \(row["file_count"] as Int64) files, holds \(row["real_count"] as Int64)"
            )
        }

        // A blob's references: the files with its bytes and the derivations whose output it is (a derivation whose
        // output is its source's own bytes holds none: see migration v4).
        let blobRows = try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT sha256, size, ref_count,
                        (SELECT count(*) FROM file WHERE file.sha256 = blob.sha256) AS file_refs,
                        (SELECT count(*) FROM derived_blob
                            WHERE derived_blob.sha256 = blob.sha256 AND derived_blob.source <> blob.sha256) AS derived_refs
                    FROM blob
                    """)
        }
        var known = Set<String>()
        for row in blobRows {
            let sha: String = row["sha256"]
            known.insert(sha)
            let (size, refs, fileRefs, derivedRefs): (Int64, Int64, Int64, Int64) =
                (row["size"], row["ref_count"], row["file_refs"], row["derived_refs"])
            let realRefs = fileRefs + derivedRefs
            if refs != realRefs { report.problems.append("blob \(sha): ref_count \(refs), referenced by \(realRefs)") }
            if realRefs == 0 { report.problems.append("blob \(sha): unreferenced") }
            // A blob only derivations use is reported with them, below.
            guard fileRefs > 0 || derivedRefs == 0 else { continue }
            switch blobs.storedSize(sha) {
            case nil: report.problems.append("blob \(sha): missing on disk (referenced by \(fileRefs) files)")
            case let onDisk? where onDisk != size:
                report.problems.append("blob \(sha): \(onDisk) bytes on disk, \(size) recorded")
            default: break
            }
        }
        let derivedRows = try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT derived_blob.source, derived_blob.variant, derived_blob.sha256, blob.size
                    FROM derived_blob JOIN blob ON blob.sha256 = derived_blob.sha256
                    """)
        }
        var damagedDerivations: [(source: String, variant: String)] = []
        for row in derivedRows {
            let (source, variant, sha, size): (String, String, String, Int64) = (row[0], row[1], row[2], row[3])
            let problem: String
            switch blobs.storedSize(sha) {
            case nil: problem = "blob \(sha) missing on disk"
            case let onDisk? where onDisk != size: problem = "blob \(sha) has \(onDisk) bytes on disk, \(size) recorded"
            default: continue
            }
            report.problems.append("derived \(variant) of blob \(source): \(problem)")
            damagedDerivations.append((source, variant))
        }
        let mismatched = try db.read { db in
            try String.fetchAll(
                db, sql: "SELECT file.id FROM file JOIN blob USING (sha256) WHERE file.size <> blob.size")
        }
        report.problems += mismatched.map { "file \($0): size differs from its blob" }
        let orphans = blobs.storedHashes().filter { !known.contains($0) }
        report.problems += orphans.map { "blob \($0): on disk without a row (orphan)" }
        let temps = blobs.tempFileNames()
        report.problems += temps.map { "temp file tmp/\($0) left behind" }

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
}
