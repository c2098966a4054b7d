import Crypto
import Foundation

/// Where blobs' bytes are kept, by their SHA-256: the local `blobs/` folder (`DiskBlobs`, the default) or an
/// S3-compatible bucket (the `TrefoilS3Blobs` target).
///
/// The store above a backend (`BlobStore`, `FileTree`) keeps everything else: temp files and hashing, the pins that
/// keep a blob an upload is about to reference from being collected, the rows and their reference counts. A backend
/// only keeps bytes, and promises two things: a blob is visible under its address only once it is complete (`store`
/// returns after that), and a `store` that fails leaves nothing the store's crash recovery cannot find (it records
/// what it starts in the `journal` before starting it).
public protocol BlobBackend: Sendable {
    /// `disk` or `s3`: for the log, the console and fsck.
    var name: String { get }

    /// Makes the bytes of the local file `upload.path` the blob `upload.sha256`, complete and durable, before it
    /// returns. Unless `overwrite`, a blob already stored with the same size is kept and nothing is written (dedup).
    ///
    /// Says whether the temp file was consumed (moved into place; when not, the caller removes it) and which journal
    /// row, if any, the caller ends in the transaction that records the blob's row.
    func store(_ upload: BlobUpload, overwrite: Bool, journal: BlobJournal) async throws(TrefoilError) -> BlobStored

    /// Removes the blob; removing one that is not there succeeds.
    func remove(_ sha256: String) async throws(TrefoilError)

    /// The stored blob's size, or nil when there is none.
    func storedSize(_ sha256: String) async throws(TrefoilError) -> Int64?

    /// Every stored blob, by SHA-256 (a walk of the folder, or a listing of the bucket's prefix).
    func storedHashes() async throws(TrefoilError) -> [String]

    /// The blob's own file, to read in place (`sendfile`), or nil when the bytes are not on this machine.
    func localPath(_ sha256: String) -> String?

    /// Writes the blob's bytes `range` (all of them when nil) to a new file at `path`.
    func copy(_ sha256: String, range: Range<Int64>?, to path: String) async throws(TrefoilError)

    /// The blob's bytes `range`, in memory (small reads: a fragment of a file).
    func read(_ sha256: String, range: Range<Int64>) async throws(TrefoilError) -> Data

    /// Undoes what a `store` recorded in the journal and never finished (an interrupted multipart upload). The
    /// object itself is removed by the caller when no row references it.
    func abandon(_ write: PendingBlobWrite) async throws(TrefoilError)

    /// Checks that blobs can be written and removed: the start-up check that fails with one clear line.
    func checkWritable() async throws(TrefoilError)
}

extension BlobBackend {
    /// The SHA-256 of a stored blob's bytes as this backend has them, read back 8 MiB at a time (fsck `--deep`,
    /// `blobs migrate`'s check of each copy).
    public func sha256(of sha256: String, size: Int64) async throws(TrefoilError) -> String {
        var hash = SHA256()
        var offset: Int64 = 0
        while offset < size {
            let end = min(size, offset + (8 << 20))
            let piece = try await read(sha256, range: offset..<end)
            guard piece.count == end - offset else { throw .storageWriteFailed("blob \(sha256) ended early") }
            hash.update(data: piece)
            offset = end
        }
        return hash.finalize().hexString
    }
}

/// A hashed temp file about to become a blob.
public struct BlobUpload: Sendable {
    public let path: String
    public let size: Int64
    public let sha256: String

    public init(path: String, size: Int64, sha256: String) {
        self.path = path
        self.size = size
        self.sha256 = sha256
    }
}

/// What `BlobBackend.store` did.
public struct BlobStored: Sendable, Equatable {
    /// The temp file was moved into place (the caller must not remove it).
    public var consumedTemp: Bool
    /// The journal row of the write, ended in the transaction that records the blob's row.
    public var journalID: Int64?

    public init(consumedTemp: Bool, journalID: Int64? = nil) {
        self.consumedTemp = consumedTemp
        self.journalID = journalID
    }
}

/// A write to a backend that was started and may not have finished: a row of `blob_pending`, recorded before the
/// write starts and dropped once the blob is referenced (or given up). What a crash leaves here is undone at the next
/// start, without listing the bucket.
public struct PendingBlobWrite: Sendable, Equatable {
    public let id: Int64
    public let sha256: String
    /// The multipart upload's id, once one was started.
    public let uploadID: String?
    public let startedAt: Int64
}
