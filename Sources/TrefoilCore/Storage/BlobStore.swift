import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes received and hashed, not yet part of the store: in a file in `tmp/`, or (a small upload) in memory.
struct TempBlob: Sendable {
    /// The temp file; nil when the bytes are held in `bytes`.
    let path: String?
    let size: Int64
    let digests: Digests
    /// The bytes of an upload small enough never to have had a temp file.
    let bytes: [UInt8]?

    init(path: String, size: Int64, digests: Digests) {
        self.path = path
        self.size = size
        self.digests = digests
        bytes = nil
    }

    init(inMemory bytes: [UInt8], computeSHA3: Bool) {
        path = nil
        size = Int64(bytes.count)
        digests = Digests(of: bytes, computeSHA3: computeSHA3)
        self.bytes = bytes
    }
}

/// Where `BlobStore.place` put an upload's bytes: what the transaction that records the blob's row must do.
struct Placement: Sendable {
    /// The backend's journal row of the write, to end in that transaction (`recordBlob`).
    var journalID: Int64?
    /// The bytes to keep in the database with the row, for a blob at most `Settings.inlineBlobBytes` long.
    var inDatabase: [UInt8]?
    /// Whether the blob is pinned (bytes placed with the backend): `unpin` once the transaction has ended.
    var pinned: Bool { inDatabase == nil }
}

/// The blobs of a store: temp files and hashing, and the pins that keep collection away from blobs in use, over a
/// `BlobBackend` that keeps the bytes (`DiskBlobs` by default, or an S3 bucket).
///
/// A blob is *pinned* from the moment an upload moves it into place until that upload's database
/// transaction has ended, so that the garbage collector never removes bytes a commit is about to
/// reference. The collector claims a blob inside its transaction and removes the bytes afterwards;
/// an upload that pins a claimed blob takes it back and puts its own copy in place (waiting, with a backend whose
/// removal is a request, until a removal already sent has ended). The lock guards only these quick checks: nobody
/// waits on the database or the network while holding it, because on a two-thread cooperative pool that can starve
/// the writer.
public final class BlobStore: Sendable {
    let directory: DataDirectory
    let backend: any BlobBackend
    /// The backend when it is the local folder: its calls are made in place, without a hop.
    let disk: DiskBlobs?
    let journal: BlobJournal
    private struct PinState {
        var pinned: [String: Int] = [:]
        /// Blobs whose rows the collector has deleted and whose bytes it is about to remove.
        var collecting: Set<String> = []
        /// Removals sent to a remote backend and not answered yet.
        var removing: [String: Task<Void, Never>] = [:]
    }

    private let pins = Mutex(PinState())
    /// Removes the temp files of uploads whose content was already stored or that failed, after the
    /// upload has been answered and off the cooperative pool: unlinking 1 GiB takes 0.6–0.8 s here
    /// (ext4 mounted with `discard`), almost all of it waiting on the disk. `tempFileNames` waits for
    /// it, so nobody sees a stale file.
    private let remover = DispatchQueue(label: "trefoil.blobs.remove")

    init(directory: DataDirectory, backend: any BlobBackend, journal: BlobJournal) {
        self.directory = directory
        self.backend = backend
        self.disk = backend as? DiskBlobs
        self.journal = journal
    }

    /// The blob's file to read in place, or nil when the backend keeps the bytes elsewhere.
    public func localPath(for sha256: String) -> String? {
        disk?.path(for: sha256) ?? backend.localPath(sha256)
    }

    /// Streams `bytes` into a new temp file, hashing as it goes; stops reading past `maxBytes`.
    ///
    /// Throws `TrefoilError.fileTooLarge` past the limit, `.storageWriteFailed` when the disk
    /// refuses, or whatever the byte source throws. On any error the temp file is gone (or about to
    /// be: `tempFileNames` waits for it).
    ///
    /// A stream that ends within `inMemoryUpTo` bytes never gets a temp file: its bytes are held and hashed in memory
    /// (for a blob kept in the database, `Settings.inlineBlobBytes`). A local file always streams through the file.
    func ingest<Bytes: AsyncSequence>(
        _ bytes: Bytes,
        maxBytes: Int64,
        computeSHA3: Bool,
        inMemoryUpTo memoryLimit: Int64 = 0
    ) async throws -> TempBlob where Bytes.Element: Collection, Bytes.Element.Element == UInt8 {
        var pieces = bytes.makeAsyncIterator()
        var held: [UInt8] = []
        if memoryLimit > 0, !(bytes is FileChunks) {
            while Int64(held.count) <= memoryLimit, let piece = try await pieces.next() {
                held.append(contentsOf: piece)
                if Int64(held.count) > maxBytes { throw TrefoilError.fileTooLarge }
            }
            if Int64(held.count) <= memoryLimit { return TempBlob(inMemory: held, computeSHA3: computeSHA3) }
        }
        let path = "\(directory.tmpPath)/\(UUID().uuidString.lowercased()).part"
        let fd = try await DispatchQueue.blockingCalls.perform {
            () throws(TrefoilError) -> Int32 in try Self.createTempFile(path)
        }
        let pipeline = IngestPipeline(fd: fd, computeSHA3: computeSHA3)
        var size: Int64 = 0
        var chunk = await pipeline.takeChunk()
        do {
            if let file = bytes as? FileChunks {
                // A local file is read straight into the pipeline's buffers, with no copy between.
                while true {
                    let n = await file.reader.fill(chunk)
                    if n < 0 { throw TrefoilError.localFileNotFound("reading failed: \(errnoText(Int32(-n)))") }
                    size += Int64(n)
                    if size > maxBytes { throw TrefoilError.fileTooLarge }
                    guard chunk.isFull else { break }
                    pipeline.feed(chunk)
                    chunk = await pipeline.takeChunk()
                }
            } else {
                if !held.isEmpty {
                    size = Int64(held.count)
                    await pipeline.append(held, into: &chunk)
                    held = []
                }
                while let piece = try await pieces.next() {
                    size += Int64(piece.count)
                    if size > maxBytes { throw TrefoilError.fileTooLarge }
                    await pipeline.append(piece, into: &chunk)
                }
            }
            pipeline.feed(chunk)
            let digests = try await pipeline.finish()
            close(fd)
            return TempBlob(path: path, size: size, digests: digests)
        } catch {
            pipeline.giveBack(chunk)
            await pipeline.abandon()
            close(fd)
            removeTemp(path)
            throw error
        }
    }

    /// Creates a temp file for direct writes, or for buffered ones where the file system has no
    /// `O_DIRECT` (it answers `EINVAL`).
    static func createTempFile(_ path: String) throws(TrefoilError) -> Int32 {
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
        var fd = open(path, flags | directFlag, 0o644)
        if fd < 0 && errno == EINVAL { fd = open(path, flags, 0o644) }
        guard fd >= 0 else { throw .storageWriteFailed("cannot create a temp file: \(errnoText())") }
        return fd
    }

    /// Removes a temp file that will not be used, once the remover gets to it.
    func removeTemp(_ path: String) {
        remover.async { unlink(path) }
    }

    /// Drops an upload's bytes that will not be used: its temp file, if it has one.
    func discard(_ temp: TempBlob) {
        if let path = temp.path { removeTemp(path) }
    }

    /// Pins the blob and makes the temp file its bytes, or drops the temp file when that content is already stored.
    /// The caller must `unpin` once its transaction has ended (when the placement says it is `pinned`), and record
    /// the blob in that transaction (`recordBlob`, which ends the journal row and stores bytes kept in the database).
    /// On failure nothing is pinned and the temp file is gone.
    ///
    /// A blob of at most `inDatabaseUpTo` bytes is not given to the backend: its bytes go into the database with its
    /// row, in the same transaction, so nothing is placed beforehand and nothing needs a pin.
    func place(_ temp: TempBlob, inDatabaseUpTo inlineLimit: Int64 = 0) async throws(TrefoilError) -> Placement {
        if inlineLimit > 0, temp.size <= inlineLimit {
            if let bytes = temp.bytes { return Placement(inDatabase: bytes) }
            if let path = temp.path {
                let read = await DispatchQueue.blockingCalls.perform { Self.readSmallFile(path, size: temp.size) }
                removeTemp(path)
                guard let read else { throw .storageWriteFailed("cannot read back the upload: \(errnoText())") }
                return Placement(inDatabase: read)
            }
        }
        let sha = temp.digests.sha256
        guard let path = temp.path else {
            // `ingest` holds in memory only what the same limit lets the database keep.
            throw .internalError("an upload held in memory is larger than the database keeps")
        }
        let reclaimed = await pinAwaitingRemoval(sha)
        let upload = BlobUpload(path: path, size: temp.size, sha256: sha)
        let stored: BlobStored
        do {
            if let disk {
                stored = try await DispatchQueue.blockingCalls.perform { () throws(TrefoilError) in
                    try disk.storeNow(upload, reclaimed)
                }
            } else {
                stored = try await backend.store(upload, overwrite: reclaimed, journal: journal)
            }
        } catch {
            unpin(sha)
            removeTemp(path)
            throw error
        }
        if !stored.consumedTemp { removeTemp(path) }
        return Placement(journalID: stored.journalID)
    }

    /// A small temp file's bytes, or nil when it cannot be read whole.
    private static func readSmallFile(_ path: String, size: Int64) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        let failure = bytes.withUnsafeMutableBytes { readAll(fd, into: $0, at: 0) }
        return failure == 0 ? bytes : nil
    }

    /// `pinForPlacement`, and when a removal of the blob was already sent, waits for it to end: its bytes are gone,
    /// so the upload must write its own (true).
    private func pinAwaitingRemoval(_ sha256: String) async -> Bool {
        let reclaimed = pinForPlacement(sha256)
        guard let removal = pins.withLock({ $0.removing[sha256] }) else { return reclaimed }
        await removal.value
        return true
    }

    func pin(_ sha256: String) {
        pins.withLock { $0.pinned[sha256, default: 0] += 1 }
    }

    /// Whether an upload or a derivation has the blob pinned.
    func isPinned(_ sha256: String) -> Bool {
        pins.withLock { $0.pinned[sha256] != nil }
    }

    func unpin(_ sha256: String) {
        pins.withLock { state in
            let count = state.pinned[sha256, default: 0] - 1
            state.pinned[sha256] = count > 0 ? count : nil
        }
    }

    /// Pins `sha256` for an upload about to use its file; true when the collector had claimed the
    /// file, so that the upload must put its own copy in place instead of relying on the old one.
    func pinForPlacement(_ sha256: String) -> Bool {
        pins.withLock { state in
            state.pinned[sha256, default: 0] += 1
            return state.collecting.remove(sha256) != nil
        }
    }

    /// Claims `sha256` for collection unless an upload has it pinned. Called inside the collector's
    /// transaction; the lock is held only for this check, never across a database wait.
    func claimForCollection(_ sha256: String) -> Bool {
        pins.withLock { state in
            guard state.pinned[sha256] == nil else { return false }
            state.collecting.insert(sha256)
            return true
        }
    }

    /// Removes a claimed blob's file, unless an upload took it back since the claim: in place for the local
    /// folder (under the lock, so no upload can take it back halfway); for the local folder only.
    func removeIfStillClaimedNow(_ sha256: String) -> Bool {
        pins.withLock { state in
            guard state.collecting.remove(sha256) != nil else { return false }
            disk?.removeNow(sha256)
            return true
        }
    }

    /// Removes a claimed blob's bytes, unless an upload took it back since the claim. With a remote backend the
    /// removal is a request: an upload that pins the blob meanwhile waits for it to end, then writes its own copy.
    func removeIfStillClaimed(_ sha256: String) async -> Bool {
        if disk != nil { return removeIfStillClaimedNow(sha256) }
        let backend = self.backend
        let journal = self.journal
        let task: Task<Void, Never>? = pins.withLock { state in
            guard state.collecting.remove(sha256) != nil else { return nil }
            // A removal that fails (the store unreachable) is journalled: its row is already gone, so only the
            // journal's recovery (the janitor's hourly pass, the next start) would find the object again.
            let task = Task<Void, Never> {
                do {
                    try await backend.remove(sha256)
                } catch {
                    _ = try? await journal.begin(sha256)
                }
            }
            state.removing[sha256] = task
            return task
        }
        guard let task else { return false }
        await task.value
        pins.withLock { state in _ = state.removing.removeValue(forKey: sha256) }
        return true
    }

    /// Every stored blob, by name.
    func storedHashes() async throws(TrefoilError) -> [String] {
        try await backend.storedHashes()
    }

    /// Size of a stored blob, or nil when it is missing.
    func storedSize(_ sha256: String) async throws(TrefoilError) -> Int64? {
        try await backend.storedSize(sha256)
    }

    /// Names of the files in `tmp/`, once the removals queued so far are done.
    func tempFileNames() -> [String] {
        remover.sync {}
        return (try? FileManager.default.contentsOfDirectory(atPath: directory.tmpPath)) ?? []
    }

    /// Removes every leftover temp file. Only safe while no upload runs (start-up, fsck).
    func removeTempFiles() -> Int {
        let names = tempFileNames()
        for name in names { unlink("\(directory.tmpPath)/\(name)") }
        return names.count
    }
}
