import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes received and hashed, sitting in `tmp/`, not yet part of the store.
struct TempBlob: Sendable {
    let path: String
    let size: Int64
    let digests: Digests
}

/// Content-addressed blob files: `blobs/ab/cd/<sha256>`, one per distinct content.
///
/// A blob is *pinned* from the moment an upload moves it into place until that upload's database
/// transaction has ended, so that the garbage collector never removes bytes a commit is about to
/// reference. The collector claims a blob inside its transaction and removes the file afterwards;
/// an upload that pins a claimed blob takes it back and puts its own copy in place. The lock guards
/// only these quick checks and the unlink: nobody waits on the database while holding it, because
/// on a two-thread cooperative pool that can starve the writer.
public final class BlobStore: Sendable {
    let directory: DataDirectory
    private struct PinState {
        var pinned: [String: Int] = [:]
        /// Blobs whose rows the collector has deleted and whose files it is about to remove.
        var collecting: Set<String> = []
    }

    private let pins = Mutex(PinState())
    /// Removes the temp files of uploads whose content was already stored or that failed, after the
    /// upload has been answered and off the cooperative pool: unlinking 1 GiB takes 0.6–0.8 s here
    /// (ext4 mounted with `discard`), almost all of it waiting on the disk. `tempFileNames` waits for
    /// it, so nobody sees a stale file.
    private let remover = DispatchQueue(label: "trefoil.blobs.remove")

    init(directory: DataDirectory) {
        self.directory = directory
    }

    /// Where the blob with this SHA-256 lives.
    public func path(for sha256: String) -> String {
        let a = sha256.prefix(2)
        let b = sha256.dropFirst(2).prefix(2)
        return "\(directory.blobsPath)/\(a)/\(b)/\(sha256)"
    }

    /// Streams `bytes` into a new temp file, hashing as it goes; stops reading past `maxBytes`.
    ///
    /// Throws `TrefoilError.fileTooLarge` past the limit, `.storageWriteFailed` when the disk
    /// refuses, or whatever the byte source throws. On any error the temp file is gone (or about to
    /// be: `tempFileNames` waits for it).
    func ingest<Bytes: AsyncSequence>(
        _ bytes: Bytes,
        maxBytes: Int64,
        computeSHA3: Bool
    ) async throws -> TempBlob where Bytes.Element: Collection, Bytes.Element.Element == UInt8 {
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
                for try await piece in bytes {
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

    /// Pins the blob and moves the temp file into its content address, or drops the temp file when
    /// that content is already stored. The caller must `unpin` once its transaction has ended.
    ///
    /// Runs off the cooperative pool: the rename and the folder's fsync wait on the disk.
    func place(_ temp: TempBlob) async throws(TrefoilError) {
        try await DispatchQueue.blockingCalls.perform { () throws(TrefoilError) in
            try self.placeNow(temp)
        }
    }

    private func placeNow(_ temp: TempBlob) throws(TrefoilError) {
        let sha = temp.digests.sha256
        let reclaimed = pinForPlacement(sha)
        let destination = path(for: sha)
        let folder = (destination as NSString).deletingLastPathComponent
        var status = stat()
        if !reclaimed, stat(destination, &status) == 0, Int64(status.st_size) == temp.size {
            removeTemp(temp.path)
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            unpin(sha)
            throw .storageWriteFailed("cannot create \(folder): \(error.localizedDescription)")
        }
        guard rename(temp.path, destination) == 0 else {
            let reason = errnoText()
            unpin(sha)
            unlink(temp.path)
            throw .storageWriteFailed("cannot move the upload into place: \(reason)")
        }
        syncDirectory(folder)
    }

    func pin(_ sha256: String) {
        pins.withLock { $0.pinned[sha256, default: 0] += 1 }
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

    /// Removes a claimed blob's file, unless an upload took it back since the claim.
    func removeIfStillClaimed(_ sha256: String) -> Bool {
        pins.withLock { state in
            guard state.collecting.remove(sha256) != nil else { return false }
            unlink(path(for: sha256))
            return true
        }
    }

    /// Every blob file on disk, by its name.
    func storedHashes() -> [String] {
        let fm = FileManager.default
        var hashes: [String] = []
        for a in (try? fm.contentsOfDirectory(atPath: directory.blobsPath)) ?? [] {
            for b in (try? fm.contentsOfDirectory(atPath: "\(directory.blobsPath)/\(a)")) ?? [] {
                hashes += (try? fm.contentsOfDirectory(atPath: "\(directory.blobsPath)/\(a)/\(b)")) ?? []
            }
        }
        return hashes
    }

    /// Size of a blob file, or nil when it is missing.
    func storedSize(_ sha256: String) -> Int64? {
        var status = stat()
        guard stat(path(for: sha256), &status) == 0 else { return nil }
        return Int64(status.st_size)
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

/// Makes a rename inside `path` durable.
func syncDirectory(_ path: String) {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    fsync(fd)
    close(fd)
}
