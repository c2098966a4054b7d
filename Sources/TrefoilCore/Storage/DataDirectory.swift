import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The on-disk layout of a store: `trefoil.sqlite`, `blobs/ab/cd/<sha256>`, `tmp/`, `cache/`.
///
/// `tmp/` sits beside `blobs/` so that moving a finished upload into place is one atomic rename.
public struct DataDirectory: Sendable {
    public let root: URL

    public init(path: String) {
        root = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    public var databasePath: String { root.appendingPathComponent("trefoil.sqlite").path }
    public var blobsPath: String { root.appendingPathComponent("blobs").path }
    public var tmpPath: String { root.appendingPathComponent("tmp").path }
    public var cachePath: String { root.appendingPathComponent("cache").path }
    /// Local copies of blobs a remote backend keeps, for what needs a path (`FileTree.localCopy`).
    public var blobCachePath: String { root.appendingPathComponent("blob-cache").path }
    public var signingKeyPath: String { root.appendingPathComponent("signing.key").path }
    var lockPath: String { root.appendingPathComponent("trefoil.lock").path }

    /// Creates the folders that are missing.
    public func create() throws(TrefoilError) {
        for path in [root.path, blobsPath, tmpPath, cachePath] {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw .storageWriteFailed("cannot create \(path): \(error.localizedDescription)")
            }
        }
    }

    /// Creates `blob-cache/`, the first time a remote blob is fetched.
    func createBlobCache() throws(TrefoilError) {
        do {
            try FileManager.default.createDirectory(atPath: blobCachePath, withIntermediateDirectories: true)
        } catch {
            throw .storageWriteFailed("cannot create \(blobCachePath): \(error.localizedDescription)")
        }
    }

    /// Takes the store's exclusive lock, so that two processes never write one store.
    ///
    /// The lock lasts as long as the returned object.
    public func lock() throws(TrefoilError) -> DataDirectoryLock {
        try create()
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .storageWriteFailed("cannot open \(lockPath): \(errnoText())") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .storageWriteFailed("\(root.path) is in use by another trefoil process")
        }
        return DataDirectoryLock(fd: fd)
    }
}

/// An exclusive lock on a data directory, held until `release()` or until this object goes away.
public final class DataDirectoryLock: Sendable {
    private let fd: Mutex<Int32?>

    init(fd: Int32) { self.fd = Mutex(fd) }

    /// Gives the directory up to another process (or a later `lock()` in this one).
    public func release() {
        fd.withLock { fd in
            guard let open = fd else { return }
            flock(open, LOCK_UN)
            close(open)
            fd = nil
        }
    }

    deinit { release() }
}

func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
