import Foundation
import GRDB

extension FileTree {
    /// The blob derived from `file`'s bytes as `variant`, if one was made.
    public func derived(from file: StoredFile, variant: String) async throws -> DerivedBlob? {
        let source = file.digests.sha256
        guard Self.isExact(variant), Self.isExact(source) else { return nil }
        if let cached = derivedCache.blob(source: source, variant: variant) { return cached }
        let generation = derivedCache.generation
        let found = try await read { db in try Self.derived(db, source: source, variant: variant) }
        if let found { derivedCache.store(found, source: source, variant: variant, readAfter: generation) }
        return found
    }

    /// The blob derived from `file`'s bytes as `variant`: the stored one, or one made now by `make` and stored.
    ///
    /// `make` reads the source blob at `source` and writes its result to `output` (a fresh path in the store's
    /// `tmp/`), and returns the result's media type. It runs with no lock of the store held, at most once at a time
    /// per source blob and variant in this process: callers asking meanwhile wait for the same result, and a failure
    /// is theirs too, but not the next caller's. The result is hashed, placed under its content address and
    /// recorded in one transaction; it is then counted and collected like any blob, and lives as long as its source
    /// blob (which lives while a file has those bytes). The temp file is removed whatever happens.
    ///
    /// Throws `.fileNotFound` when the source blob went (its last file was deleted) before the result was recorded,
    /// `.fileTooLarge` when the output is over `limits.max_file_bytes`, `.internalError` when `make` wrote no
    /// output or `variant` is empty or has a NUL, or whatever `make` throws. Nothing is kept after a failure.
    public func derive(
        from file: StoredFile,
        variant: String,
        make: @escaping @Sendable (_ source: String, _ output: String) async throws -> String
    ) async throws -> DerivedBlob {
        guard !variant.isEmpty, Self.isExact(variant) else {
            throw TrefoilError.internalError("a derived blob's variant must be non-empty text without NUL")
        }
        if let stored = try await derived(from: file, variant: variant) { return stored }
        let source = file.digests.sha256
        return try await derivations.run(source: source, variant: variant) {
            try await self.makeDerived(variant, from: source, with: make)
        }
    }

    /// The file of a derived blob's bytes, to read in place (`sendfile`); nil when the backend keeps them elsewhere
    /// (see `localCopy(of:)`).
    public func blobPath(of derived: DerivedBlob) -> String? {
        blobs.localPath(for: derived.sha256)
    }

    static func derived(_ db: Database, source: String, variant: String) throws -> DerivedBlob? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT derived_blob.sha256, blob.size, derived_blob.media_type
                        FROM derived_blob JOIN blob ON blob.sha256 = derived_blob.sha256
                        WHERE derived_blob.source = ? AND derived_blob.variant = ?
                        """),
                arguments: [source, variant])
        else { return nil }
        return DerivedBlob(sha256: row[0], size: row[1], mediaType: row[2])
    }

    /// One run of a derivation (`derive`); the only one for its source and variant under way.
    private func makeDerived(
        _ variant: String, from source: String,
        with make: @Sendable (_ source: String, _ output: String) async throws -> String
    ) async throws -> DerivedBlob {
        // A run that ended between the caller's look and this one's start has stored what this one would make.
        if let stored = try await read({ db in try Self.derived(db, source: source, variant: variant) }) {
            return stored
        }
        let output = "\(directory.tmpPath)/\(UUID().uuidString.lowercased()).derived"
        defer { blobs.removeTemp(output) }
        // Pinned, the source's bytes stay while `make` reads them, even if its last file is deleted meanwhile.
        blobs.pin(source)
        let mediaType: String
        do {
            defer { blobs.unpin(source) }
            guard let row = try await read({ db in try BlobRow.fetchOne(db, key: source) }) else {
                throw TrefoilError.fileNotFound
            }
            mediaType = try await make(
                try await localCopy(source, size: row.size, inDatabase: row.inDatabase), output)
        } catch {
            // The collector may have taken the source before the pin: say so rather than how `make` failed.
            if try await isReferenced(source) == false { throw TrefoilError.fileNotFound }
            throw error
        }
        let bytes: FileChunks
        do {
            bytes = try FileChunks(path: output)
        } catch {
            throw TrefoilError.internalError("the derivation of \(variant) wrote no output")
        }
        let temp = try await blobs.ingest(bytes, maxBytes: settings.maxFileBytes, computeSHA3: settings.computeSHA3)
        let placement = try await blobs.place(temp)
        let sha = temp.digests.sha256
        let now = clock()
        let recorded: DerivedBlob
        do {
            recorded = try await write { db in
                guard let row = try BlobRow.fetchOne(db, key: source), row.refCount > 0 else {
                    throw TrefoilError.fileNotFound
                }
                try Self.recordBlob(db, temp, now: now, placed: placement)
                try db.execute(
                    sql: """
                        INSERT INTO derived_blob (source, variant, sha256, media_type, created_at)
                        VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, variant) DO NOTHING
                        """, arguments: [source, variant, sha, mediaType, now])
                guard let recorded = try Self.derived(db, source: source, variant: variant) else {
                    throw TrefoilError.internalError("a derived blob row vanished inside its own transaction")
                }
                return recorded
            }
        } catch {
            blobs.unpin(sha)
            await collectQuietly([sha], ending: placement.journalID)
            throw error
        }
        blobs.unpin(sha)
        if recorded.sha256 != sha { await collectQuietly([sha]) }
        return recorded
    }

    /// Whether something (a file, a derivation) still references the blob.
    private func isReferenced(_ sha256: String) async throws -> Bool {
        try await read { db in try BlobRow.fetchOne(db, key: sha256).map { $0.refCount > 0 } ?? false }
    }
}
