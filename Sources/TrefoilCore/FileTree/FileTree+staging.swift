import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension FileTree {
    /// Adds staged bytes to the staging space `space` as a staged file: a file that belongs to no group, for a client
    /// to use by id (linking it into a group or a user's files copies no byte), expiring `ttlSeconds` from now
    /// (at least one second). Throws what `commit` throws; the bytes are discarded on any error.
    public func commitStaged(
        _ staged: StagedUpload, name: String, into space: String, ttlSeconds: Int64, by member: Member
    ) async throws -> StoredFile {
        try await commit(
            staged, name: name, to: Owner(.staging, space), by: member,
            expiresAt: UnixTime.adding(max(1, ttlSeconds), to: clock()))
    }

    /// The bytes `range` of a stored file (clipped to its size), read off the cooperative pool without loading the
    /// rest. Throws `.fileNotFound` when the blob is gone, `.storageWriteFailed` when reading fails.
    public func bytes(of file: StoredFile, in range: Range<Int64>) async throws -> Data {
        let path = blobPath(of: file)
        let lower = max(0, min(range.lowerBound, file.size))
        let upper = max(lower, min(range.upperBound, file.size))
        return try await DispatchQueue.blockingCalls.perform { () throws(TrefoilError) -> Data in
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .fileNotFound }
            defer { closeDescriptor(fd) }
            var data = Data(count: Int(upper - lower))
            let failure = data.withUnsafeMutableBytes { readAll(fd, into: $0, at: lower) }
            guard failure == 0 else { throw .storageWriteFailed("reading the file failed: \(errnoText(failure))") }
            return data
        }
    }
}
