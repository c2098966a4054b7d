import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// The whole store in figures, for the console's overview and `/metrics`.
public struct StoreStatistics: Sendable, Equatable {
    /// Spaces per kind; a kind with none is absent.
    public var spaces: [SpaceKind: Int] = [:]
    /// File rows, every space.
    public var files = 0
    /// The sum of the files' sizes: what users see.
    public var fileBytes: Int64 = 0
    /// Blob rows, derived blobs included.
    public var blobs = 0
    /// The sum of the blobs' sizes: what the blob folder holds.
    public var blobBytes: Int64 = 0
    /// `fileBytes` minus the bytes of the distinct blobs files reference: what content addressing saved.
    public var dedupSavedBytes: Int64 = 0
    /// Entries in `data_dir/tmp` (uploads under way, pending uploads, leftovers the next start removes).
    public var tempFiles = 0
    public var tempBytes: Int64 = 0
    /// What the file system under `data_dir` has available to the process, and its size.
    public var diskFreeBytes: Int64 = 0
    public var diskTotalBytes: Int64 = 0

    public init() {}
}

extension FileTree {
    /// The store's figures now. Reads the counters (kept in the same transactions as the rows they count: the spaces'
    /// and `store_totals`), one aggregate over the blob table, `tmp/`'s entries and the file system's free space; one
    /// read transaction, so the database figures agree with each other.
    public func statistics() async throws -> StoreStatistics {
        var figures = try await read { db in
            var figures = StoreStatistics()
            for row in try Row.fetchAll(
                db, sql: "SELECT kind, COUNT(*), SUM(file_count), SUM(used_space) FROM space GROUP BY kind")
            {
                guard let kind = SpaceKind(rawValue: row[0]) else { continue }
                figures.spaces[kind] = row[1]
                figures.files += row[2] ?? 0
                figures.fileBytes += row[3] ?? 0
            }
            if let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), SUM(size) FROM blob") {
                figures.blobs = row[0]
                figures.blobBytes = row[1] ?? 0
            }
            let referenced = try Int64.fetchOne(db, sql: "SELECT file_blob_bytes FROM store_totals WHERE id = 1") ?? 0
            figures.dedupSavedBytes = max(0, figures.fileBytes - referenced)
            return figures
        }
        (figures.tempFiles, figures.tempBytes) = Self.entries(in: directory.tmpPath)
        var disk = statvfs()
        if statvfs(directory.root.path, &disk) == 0 {
            figures.diskFreeBytes = Int64(disk.f_bavail) * Int64(disk.f_frsize)
            figures.diskTotalBytes = Int64(disk.f_blocks) * Int64(disk.f_frsize)
        }
        return figures
    }

    /// How many entries a folder holds and their sizes, without following links.
    private static func entries(in path: String) -> (count: Int, bytes: Int64) {
        guard let folder = opendir(path) else { return (0, 0) }
        defer { closedir(folder) }
        var count = 0
        var bytes: Int64 = 0
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            count += 1
            var status = stat()
            if lstat("\(path)/\(name)", &status) == 0 { bytes += Int64(status.st_size) }
        }
        return (count, bytes)
    }
}
