import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a piece of a pending upload reaches its temp file.
///
/// A piece that starts on a page boundary goes to the disk with `O_DIRECT`, through a second descriptor of the same
/// file, from page-aligned memory (its own when it came in `PieceMemory`, else a copy in a reused buffer); its
/// unaligned tail, and every piece that starts elsewhere, go through the page cache. Filling new page-cache pages
/// ran at about 540 MB/s here (`dd` into a new file; 8.6 GB/s over pages already cached) and `pwrite`'s copy was a
/// quarter of the server's CPU while 4 MiB fragments arrived;
/// a direct write costs the copy into the aligned buffer and waits on the disk instead, while the digests run.
/// Direct and buffered writes of one file stay coherent (the kernel writes back and drops cached pages a direct
/// write covers), and `fsync` of either descriptor makes both durable.
enum PieceWrites {
    /// Opens `path` a second time for direct writes; -1 where the file system takes none (it answers `EINVAL`).
    static func openDirect(_ path: String) -> Int32 {
        guard directFlag != 0 else { return -1 }
        return open(path, O_WRONLY | O_CLOEXEC | directFlag)
    }

    /// Writes `bytes` at `position`: the page-aligned part through `directFD` when there is one and `position` is
    /// on a page boundary, the rest through `fd`. Returns 0 or the `errno` of the failure.
    static func write(_ bytes: UnsafeRawBufferPointer, at position: Int64, fd: Int32, directFD: Int32) -> Int32 {
        let alignment = IngestChunk.alignment
        var written = 0
        let aligned = bytes.count - bytes.count % alignment
        if directFD >= 0, position % Int64(alignment) == 0, aligned > 0, let base = bytes.baseAddress {
            let failure: Int32
            if Int(bitPattern: base) % alignment == 0 {
                // Already page-aligned (`PieceMemory`): written as it is.
                failure = writeAll(directFD, UnsafeRawBufferPointer(start: base, count: aligned), at: position)
            } else if let buffer = AlignedBuffers.shared.take(aligned) {
                defer { AlignedBuffers.shared.giveBack(buffer) }
                buffer.base.copyMemory(from: base, byteCount: aligned)
                failure = writeAll(directFD, UnsafeRawBufferPointer(start: buffer.base, count: aligned), at: position)
            } else {
                failure = EINVAL  // no buffer to be had: the page cache takes it all
            }
            // EINVAL: this file system refuses the direct write after all; the page cache takes all of it.
            if failure == 0 { written = aligned } else if failure != EINVAL { return failure }
        }
        guard written < bytes.count else { return 0 }
        return writeAll(fd, UnsafeRawBufferPointer(rebasing: bytes[written...]), at: position + Int64(written))
    }
}

/// Memory for a piece on its way to a pending upload, or read from a blob for a ranged answer: a reused page-aligned
/// buffer (`AlignedBuffers`), which `PieceWrites` hands to the disk as it is. A face decodes a fragment's base64
/// straight into it, so the piece is neither a fresh allocation (page faults on every 4 MiB) nor copied again before
/// its direct write; `DiskBlobs.read` fills it with a range.
public enum PieceMemory {
    /// The smallest piece worth a reused mapping (64 KiB); smaller ones take the heap.
    public static let reusedMinimum = 1 << 16

    /// A `Data` over a buffer of at least `capacity` bytes that `fill` writes into, returning how many bytes it wrote;
    /// the buffer goes back for reuse when the `Data` is released. Nil when `fill` throws or no buffer can be mapped.
    public static func data(capacity: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Int) -> Data? {
        guard capacity > 0, let buffer = AlignedBuffers.shared.take(capacity) else { return nil }
        guard let count = try? fill(UnsafeMutableRawBufferPointer(start: buffer.base, count: capacity)),
            count > 0, count <= capacity
        else {
            AlignedBuffers.shared.giveBack(buffer)
            return nil
        }
        return Data(
            bytesNoCopy: buffer.base, count: count,
            deallocator: .custom { _, _ in AlignedBuffers.shared.giveBack(buffer) })
    }
}

/// Page-aligned buffers for direct writes, mapped apart from the heap and kept for the next piece.
///
/// A fresh `posix_memalign` of 4 MiB per fragment left the server's RSS 130 MB above idle during a 1 GiB upload (the
/// heap's arenas kept what the aligned blocks split off); two mapped buffers reused keep it where it was. Two, because
/// a fragment's buffer is still being hashed (`RunningDigests.updateBehind`) while the next one is decoded.
final class AlignedBuffers: Sendable {
    struct Buffer: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        let capacity: Int
    }

    static let shared = AlignedBuffers(keep: 2, largest: 16 << 20)

    private let keep: Int
    private let largest: Int
    private let idle = Mutex<[Buffer]>([])

    init(keep: Int, largest: Int) {
        self.keep = keep
        self.largest = largest
    }

    /// A buffer of at least `count` bytes, or nil when none can be mapped.
    func take(_ count: Int) -> Buffer? {
        if let reused = idle.withLock({ idle -> Buffer? in
            guard let index = idle.firstIndex(where: { $0.capacity >= count }) else { return nil }
            return idle.remove(at: index)
        }) {
            return reused
        }
        // Whole pages: a piece pins no more than a page beyond its own bytes (a fragment's buffer, kept by the hashing
        // behind it, counts against nothing else).
        let page = IngestChunk.alignment
        let capacity = (count + page - 1) & ~(page - 1)
        guard let base = mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            base != MAP_FAILED
        else { return nil }
        return Buffer(base: base, capacity: capacity)
    }

    func giveBack(_ buffer: Buffer) {
        let kept = idle.withLock { idle -> Bool in
            guard buffer.capacity <= largest, idle.count < keep else { return false }
            idle.append(buffer)
            return true
        }
        if !kept { munmap(buffer.base, buffer.capacity) }
    }
}
