import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension FileTree {
    /// A local file with a stored file's bytes, for what needs a path (a bot's `get_file` answer, ffmpeg, libvips):
    /// the blob's own file on the local folder; with a remote backend, a copy fetched once into `blob-cache/` and
    /// kept while it is used (the janitor removes copies unused for a day).
    ///
    /// Throws `.fileNotFound` when the bytes are gone, `.storageWriteFailed` when fetching them fails.
    /// A file whose bytes are in the database gets a copy in `blob-cache/` too.
    public func localCopy(of file: StoredFile) async throws -> String {
        try await localCopy(file.digests.sha256, size: file.size, inDatabase: file.bytesInDatabase)
    }

    /// `localCopy(of:)` for a derived blob.
    public func localCopy(of derived: DerivedBlob) async throws -> String {
        try await localCopy(derived.sha256, size: derived.size)
    }

    func localCopy(_ sha256: String, size: Int64, inDatabase: Bool = false) async throws -> String {
        if !inDatabase, let path = blobs.localPath(for: sha256) { return path }
        let folder = directory.blobCachePath
        let target = "\(folder)/\(sha256)"
        let fresh = await DispatchQueue.blockingCalls.perform { () -> Bool in
            // Touched, so that the janitor sees it in use.
            guard Self.fileSize(target) == size else { return false }
            return utimes(target, nil) == 0
        }
        if fresh { return target }
        try directory.createBlobCache()
        let temp = "\(directory.tmpPath)/\(UUID().uuidString.lowercased()).fetch"
        do {
            if inDatabase {
                try await writeDatabaseBytes(of: sha256, size: size, to: temp)
            } else {
                try await blobs.backend.copy(sha256, range: nil, to: temp)
            }
            guard Self.fileSize(temp) == size else {
                throw TrefoilError.storageWriteFailed(
                    "the \(blobs.backend.name) copy of blob \(sha256) has the wrong size")
            }
            guard rename(temp, target) == 0 else {
                throw TrefoilError.storageWriteFailed("cannot move a fetched blob into blob-cache/: \(errnoText())")
            }
        } catch {
            blobs.removeTemp(temp)
            throw error
        }
        return target
    }

    /// Removes the fetched copies (`localCopy`) unused since `cutoff` (Unix seconds); returns how many went.
    @discardableResult
    public func pruneLocalCopies(unusedSince cutoff: Int64) -> Int {
        let folder = directory.blobCachePath
        var removed = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            var status = stat()
            guard stat("\(folder)/\(name)", &status) == 0, Int64(status.st_mtim.tv_sec) < cutoff else { continue }
            if unlink("\(folder)/\(name)") == 0 { removed += 1 }
        }
        return removed
    }

    /// The bytes `range` of a stored file (clipped to its size), read without loading the rest. Throws
    /// `.fileNotFound` when the blob is gone, `.storageWriteFailed` when reading fails.
    public func bytes(of file: StoredFile, in range: Range<Int64>) async throws -> Data {
        let lower = max(0, min(range.lowerBound, file.size))
        let upper = max(lower, min(range.upperBound, file.size))
        guard upper > lower else { return Data() }
        if file.bytesInDatabase { return try await databaseBytes(of: file.digests.sha256, in: lower..<upper) }
        return try await blobs.backend.read(file.digests.sha256, range: lower..<upper)
    }

    /// The bytes `range` (within the blob) of a blob kept in the database; `.fileNotFound` when its row is gone.
    /// The whole blob is read (at most `inline_max_bytes`) and kept in memory for the next reader.
    func databaseBytes(of sha256: String, in range: Range<Int64>) async throws -> Data {
        if let cached = inlineBytes.bytes(sha256) { return Data(cached[Int(range.lowerBound)..<Int(range.upperBound)]) }
        let data = try await read { db in
            try Data.fetchOne(
                db.cachedStatement(sql: "SELECT bytes FROM blob_bytes WHERE sha256 = ?"), arguments: [sha256])
        }
        guard let data, data.count >= range.upperBound else { throw TrefoilError.fileNotFound }
        let bytes = [UInt8](data)
        inlineBytes.store(bytes, for: sha256)
        return Data(bytes[Int(range.lowerBound)..<Int(range.upperBound)])
    }

    private func writeDatabaseBytes(of sha256: String, size: Int64, to target: String) async throws {
        let bytes = try await databaseBytes(of: sha256, in: 0..<size)
        try await DispatchQueue.blockingCalls.perform { () throws(TrefoilError) in
            let fd = Glibc.open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .storageWriteFailed("cannot create \(target): \(errnoText())") }
            defer { close(fd) }
            let failure = bytes.withUnsafeBytes { writeAll(fd, $0, at: 0) }
            guard failure == 0 else { throw .storageWriteFailed("writing \(target) failed: \(errnoText(failure))") }
        }
    }

    /// Every blob whose bytes the store holds, by SHA-256: the backend's and those kept in the database.
    public func heldBlobs() async throws -> [String] {
        let inDatabase = try await read { try String.fetchAll($0, sql: "SELECT sha256 FROM blob_bytes") }
        return try await blobs.storedHashes() + inDatabase
    }

    static func fileSize(_ path: String) -> Int64? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return Int64(status.st_size)
    }
}
