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
/// reference. Pinning and collecting take the same lock.
public final class BlobStore: Sendable {
    static let chunkSize = 1 << 20

    let directory: DataDirectory
    private let pins = Mutex<[String: Int]>([:])

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
    /// refuses, or whatever the byte source throws. On any error the temp file is gone.
    func ingest<Bytes: AsyncSequence>(
        _ bytes: Bytes,
        maxBytes: Int64,
        computeSHA3: Bool
    ) async throws -> TempBlob where Bytes.Element: Collection, Bytes.Element.Element == UInt8 {
        let path = "\(directory.tmpPath)/\(UUID().uuidString.lowercased()).part"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TrefoilError.storageWriteFailed("cannot create a temp file: \(errnoText())") }
        let pipeline = IngestPipeline(fd: fd, computeSHA3: computeSHA3)
        var size: Int64 = 0
        var buffer = [UInt8]()
        buffer.reserveCapacity(Self.chunkSize)
        do {
            for try await chunk in bytes {
                size += Int64(chunk.count)
                if size > maxBytes { throw TrefoilError.fileTooLarge }
                buffer.append(contentsOf: chunk)
                if buffer.count >= Self.chunkSize {
                    await pipeline.feed(buffer)
                    buffer = []
                    buffer.reserveCapacity(Self.chunkSize)
                }
            }
            if !buffer.isEmpty { await pipeline.feed(buffer) }
            let digests = try await pipeline.finish()
            close(fd)
            return TempBlob(path: path, size: size, digests: digests)
        } catch {
            await pipeline.abandon()
            close(fd)
            unlink(path)
            throw error
        }
    }

    /// Pins the blob and moves the temp file into its content address, or drops the temp file when
    /// that content is already stored. The caller must `unpin` once its transaction has ended.
    func place(_ temp: TempBlob) throws(TrefoilError) {
        let sha = temp.digests.sha256
        pin(sha)
        let destination = path(for: sha)
        let folder = (destination as NSString).deletingLastPathComponent
        var status = stat()
        if stat(destination, &status) == 0, Int64(status.st_size) == temp.size {
            unlink(temp.path)
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
        pins.withLock { $0[sha256, default: 0] += 1 }
    }

    func unpin(_ sha256: String) {
        pins.withLock { pins in
            let count = pins[sha256, default: 0] - 1
            pins[sha256] = count > 0 ? count : nil
        }
    }

    /// Runs `body` while no blob can be pinned, passing the set of pinned hashes.
    func withPinsLocked<T>(_ body: (Set<String>) throws -> T) rethrows -> T {
        try pins.withLock { pins in try body(Set(pins.keys)) }
    }

    /// Deletes a blob file (the caller holds the pin lock and has dropped its row).
    func remove(_ sha256: String) {
        unlink(path(for: sha256))
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

    /// Names of the files in `tmp/`.
    func tempFileNames() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory.tmpPath)) ?? []
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
