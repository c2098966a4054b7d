import Foundation

/// The small-upload baseline: what one writer gets from the disk when every small file must be durable before the
/// next one starts. Each cycle creates a file in `incoming/`, writes it, fsyncs and closes it, renames it into
/// `store/` and fsyncs `store/`, the least a file store must do to promise that a file it answered for survives a
/// crash (trefoil does this and commits a database row).
enum DurableWriteLoop {
    /// Cycles per second over `duration` after `warmup`, in a folder made under `directory`; every file's content is
    /// distinct (`seed` and its number), as the uploads' are.
    static func run(directory: String, bytes: Int, seed: UInt64, warmup: Duration, duration: Duration) async throws
        -> Double
    {
        try await onOwnThread {
            try runBlocking(directory: directory, bytes: bytes, seed: seed, warmup: warmup, duration: duration)
        }
    }

    private static func runBlocking(
        directory: String, bytes: Int, seed: UInt64, warmup: Duration, duration: Duration
    ) throws -> Double {
        let incoming = directory + "/incoming"
        let store = directory + "/store"
        for folder in [incoming, store] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let storeFD = open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard storeFD >= 0 else { throw failure("open \(store)") }
        defer { close(storeFD) }
        let clock = ContinuousClock()
        let measureStart = clock.now + warmup
        let end = measureStart + duration
        var completed = 0
        var index = 0
        while clock.now < end {
            let content = RandomBytes.bytes(bytes, seed: seed &* 1_000_003 &+ UInt64(index))
            let name = "\(seed)-\(index).bin"
            let fd = open(incoming + "/" + name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw failure("create \(incoming)/\(name)") }
            let written = content.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
            guard written == bytes, fsync(fd) == 0 else {
                close(fd)
                throw failure("write and fsync \(name)")
            }
            close(fd)
            guard rename(incoming + "/" + name, store + "/" + name) == 0 else { throw failure("rename \(name)") }
            guard fsync(storeFD) == 0 else { throw failure("fsync \(store)") }
            index += 1
            if clock.now >= measureStart && clock.now <= end { completed += 1 }
        }
        return Double(completed) / duration.seconds
    }

    private static func failure(_ what: String) -> BenchError {
        BenchError("durable write loop: \(what): \(String(cString: strerror(errno)))")
    }
}
