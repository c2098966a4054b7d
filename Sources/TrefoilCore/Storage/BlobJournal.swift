import GRDB

/// The `blob_pending` table: writes to a backend that were started and may not have finished (`PendingBlobWrite`).
///
/// A backend whose writes can be left half-done by a crash (an S3 multipart upload, an object put before the row
/// that references it commits) records each write here before starting it, and its multipart upload id as soon as it
/// has one. The store drops the row once the blob's row is committed or the write was undone; what is left after a
/// crash is undone at the next start (`FileTree.recoverPendingWrites`). The local folder needs none of it: its temp
/// files are in `tmp/`, emptied at every start.
public struct BlobJournal: Sendable {
    let writer: any DatabaseWriter
    let clock: @Sendable () -> Int64

    /// Records a write of `sha256` about to start; returns its id.
    public func begin(_ sha256: String) async throws(TrefoilError) -> Int64 {
        let now = clock()
        return try await run { db in
            try db.execute(
                sql: "INSERT INTO blob_pending (sha256, upload_id, started_at) VALUES (?, NULL, ?)",
                arguments: [sha256, now])
            return db.lastInsertedRowID
        }
    }

    /// Records the multipart upload the write `id` started, before any part of it is sent.
    public func attach(_ id: Int64, uploadID: String) async throws(TrefoilError) {
        try await run { db in
            try db.execute(sql: "UPDATE blob_pending SET upload_id = ? WHERE id = ?", arguments: [uploadID, id])
        }
    }

    /// Forgets the write `id`: its blob is referenced by a committed row, or it was undone.
    public func end(_ id: Int64) async throws(TrefoilError) {
        try await run { db in try db.execute(sql: "DELETE FROM blob_pending WHERE id = ?", arguments: [id]) }
    }

    /// Every write recorded and not ended, oldest first.
    public func pending() async throws(TrefoilError) -> [PendingBlobWrite] {
        try await run(write: false) { db in
            try Row.fetchAll(db, sql: "SELECT id, sha256, upload_id, started_at FROM blob_pending ORDER BY id").map {
                PendingBlobWrite(id: $0[0], sha256: $0[1], uploadID: $0[2], startedAt: $0[3])
            }
        }
    }

    private func run<T: Sendable>(write: Bool = true, _ body: @escaping @Sendable (Database) throws -> T)
        async throws(TrefoilError) -> T
    {
        do {
            return write ? try await writer.write(body) : try await writer.read(body)
        } catch {
            throw .databaseError("blob_pending: \(error)")
        }
    }
}
