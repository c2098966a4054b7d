import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Blobs as files in the data directory: `blobs/ab/cd/<sha256>`, one per distinct content. The default backend.
///
/// A temp file becomes a blob by one `rename` within the same file system, then an `fsync` of its folder: the file
/// is whole under its address or not there at all, so nothing needs a journal. Everything here is plain system calls;
/// the async ones run off the cooperative pool.
public struct DiskBlobs: BlobBackend {
    let blobsPath: String

    public init(directory: DataDirectory) {
        blobsPath = directory.blobsPath
    }

    public var name: String { "disk" }

    /// Where the blob with this SHA-256 lives.
    public func path(for sha256: String) -> String {
        let a = sha256.prefix(2)
        let b = sha256.dropFirst(2).prefix(2)
        return "\(blobsPath)/\(a)/\(b)/\(sha256)"
    }

    public func localPath(_ sha256: String) -> String? { path(for: sha256) }

    public func store(_ upload: BlobUpload, overwrite: Bool, journal: BlobJournal) async throws(TrefoilError)
        -> BlobStored
    {
        try await DispatchQueue.blockingCalls.perform { () throws(TrefoilError) in try self.storeNow(upload, overwrite)
        }
    }

    func storeNow(_ upload: BlobUpload, _ overwrite: Bool) throws(TrefoilError) -> BlobStored {
        let destination = path(for: upload.sha256)
        if !overwrite, sizeNow(upload.sha256) == upload.size { return BlobStored(consumedTemp: false) }
        let folder = (destination as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .storageWriteFailed("cannot create \(folder): \(error.localizedDescription)")
        }
        guard rename(upload.path, destination) == 0 else {
            throw .storageWriteFailed("cannot move the upload into place: \(errnoText())")
        }
        syncDirectory(folder)
        return BlobStored(consumedTemp: true)
    }

    public func remove(_ sha256: String) async throws(TrefoilError) {
        await DispatchQueue.blockingCalls.perform { self.removeNow(sha256) }
    }

    func removeNow(_ sha256: String) { unlink(path(for: sha256)) }

    public func storedSize(_ sha256: String) async throws(TrefoilError) -> Int64? {
        await DispatchQueue.blockingCalls.perform { self.sizeNow(sha256) }
    }

    func sizeNow(_ sha256: String) -> Int64? { FileTree.fileSize(path(for: sha256)) }

    public func storedHashes() async throws(TrefoilError) -> [String] {
        await DispatchQueue.blockingCalls.perform { self.hashesNow() }
    }

    func hashesNow() -> [String] {
        let fm = FileManager.default
        var hashes: [String] = []
        for a in (try? fm.contentsOfDirectory(atPath: blobsPath)) ?? [] {
            for b in (try? fm.contentsOfDirectory(atPath: "\(blobsPath)/\(a)")) ?? [] {
                hashes += (try? fm.contentsOfDirectory(atPath: "\(blobsPath)/\(a)/\(b)")) ?? []
            }
        }
        return hashes
    }

    public func copy(_ sha256: String, range: Range<Int64>?, to target: String) async throws(TrefoilError) {
        let source = path(for: sha256)
        try await DispatchQueue.blockingCalls.perform { () throws(TrefoilError) in
            let input = open(source, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else { throw .fileNotFound }
            defer { closeDescriptor(input) }
            let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard output >= 0 else { throw .storageWriteFailed("cannot create \(target): \(errnoText())") }
            defer { closeDescriptor(output) }
            var status = stat()
            fstat(input, &status)
            let bounds = range ?? 0..<Int64(status.st_size)
            var offset = off_t(bounds.lowerBound)
            var left = Int(bounds.count)
            while left > 0 {
                let sent = sendfile(output, input, &offset, min(left, 1 << 30))
                guard sent > 0 else { throw .storageWriteFailed("copying a blob failed: \(errnoText())") }
                left -= sent
            }
        }
    }

    public func read(_ sha256: String, range: Range<Int64>) async throws(TrefoilError) -> Data {
        let source = path(for: sha256)
        return try await DispatchQueue.blockingCalls.perform { () throws(TrefoilError) -> Data in
            let fd = open(source, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .fileNotFound }
            defer { closeDescriptor(fd) }
            var failure: Int32 = 0
            // A large range (a `get_file_fragmented` transfer) goes into reused memory: a fresh `Data` of 4 MiB was
            // zeroed and faulted in page by page for every range, a tenth of the server's CPU on that path.
            if range.count >= PieceMemory.reusedMinimum,
                let reused = PieceMemory.data(
                    capacity: range.count,
                    fill: { buffer in
                        failure = readAll(fd, into: buffer, at: range.lowerBound)
                        return failure == 0 ? buffer.count : 0  // nothing written: no Data, and `failure` says why
                    })
            {
                return reused
            }
            var data = Data()
            if failure == 0 {
                data = Data(count: range.count)
                failure = data.withUnsafeMutableBytes { readAll(fd, into: $0, at: range.lowerBound) }
            }
            guard failure == 0 else { throw .storageWriteFailed("reading the file failed: \(errnoText(failure))") }
            return data
        }
    }

    /// The folder keeps no journal: nothing to undo.
    public func abandon(_ write: PendingBlobWrite) async throws(TrefoilError) {}

    public func checkWritable() async throws(TrefoilError) {
        guard access(blobsPath, W_OK) == 0 else { throw .storageWriteFailed("\(blobsPath) is not writable") }
    }
}

/// Makes a rename inside `path` durable.
func syncDirectory(_ path: String) {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    fsync(fd)
    close(fd)
}
