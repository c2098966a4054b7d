import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The `cache/` folder that a face's download-to-cache action fills: each download in a folder of its own, so that
/// names never collide; entries older than a day are pruned by the janitor.
public struct DownloadCache: Sendable {
    let path: String
    let maxBytes: Int64

    public init(directory: DataDirectory, maxBytes: Int64) {
        path = directory.cachePath
        self.maxBytes = maxBytes
    }

    /// Streams `bytes` into a new cache entry named `name`; returns its absolute path.
    ///
    /// Throws `.fileTooLarge` past the per-file limit (nothing is kept), `.storageWriteFailed`, or
    /// whatever the source throws.
    public func store<Bytes: AsyncSequence>(_ bytes: Bytes, name rawName: String) async throws -> String
    where Bytes.Element: Collection, Bytes.Element.Element == UInt8 {
        let name = try Self.fileName(rawName)
        let folder = "\(path)/\(UUID().uuidString.lowercased())"
        let target = "\(folder)/\(name)"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw TrefoilError.storageWriteFailed("cannot create \(folder): \(error.localizedDescription)")
        }
        let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let reason = errnoText()
            try? FileManager.default.removeItem(atPath: folder)
            throw TrefoilError.storageWriteFailed("cannot create \(target): \(reason)")
        }
        do {
            var size: Int64 = 0
            for try await chunk in bytes {
                size += Int64(chunk.count)
                if size > maxBytes { throw TrefoilError.fileTooLarge }
                let failed = Array(chunk).withUnsafeBytes { raw -> Bool in
                    var offset = 0
                    while offset < raw.count {
                        let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                        if n < 0 && errno == EINTR { continue }
                        if n <= 0 { return true }
                        offset += n
                    }
                    return false
                }
                if failed { throw TrefoilError.storageWriteFailed("writing \(target) failed: \(errnoText())") }
            }
            guard fsync(fd) == 0 else { throw TrefoilError.storageWriteFailed("fsync of \(target) failed") }
            close(fd)
            return target
        } catch {
            close(fd)
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
    }

    /// The name a cache entry gets for `raw` (see `Names.fileName`); `.invalid(.fileName, …)` for one the file
    /// system cannot hold as a file: `.` and `..` name directories.
    public static func fileName(_ raw: String) throws(TrefoilError) -> String {
        let name = try Names.fileName(raw)
        if name == "." || name == ".." {
            throw .invalid(.fileName, "\"\(name)\" cannot name a file on disk")
        }
        return name
    }

    /// Removes cache entries last modified before `cutoff` (Unix seconds); returns how many went.
    @discardableResult
    public func prune(olderThan cutoff: Int64) -> Int {
        let fm = FileManager.default
        var removed = 0
        for entry in (try? fm.contentsOfDirectory(atPath: path)) ?? [] {
            let folder = "\(path)/\(entry)"
            guard let modified = (try? fm.attributesOfItem(atPath: folder))?[.modificationDate] as? Date,
                Int64(modified.timeIntervalSince1970) < cutoff
            else { continue }
            if (try? fm.removeItem(atPath: folder)) != nil { removed += 1 }
        }
        return removed
    }
}
