#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One buffer of an upload on its way through `IngestPipeline`: page-aligned, so that the write lane
/// can hand it to the disk with `O_DIRECT`, and reused for the next chunk once every lane is done.
///
/// Only the producer writes to it (before `IngestPipeline.feed`); the lanes only read it afterwards.
final class IngestChunk: @unchecked Sendable {
    /// The alignment `O_DIRECT` needs for addresses, offsets and lengths (the page size covers any
    /// logical block size a disk here reports).
    static let alignment = 4096

    let base: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        precondition(capacity > 0 && capacity % Self.alignment == 0)
        var pointer: UnsafeMutableRawPointer?
        guard posix_memalign(&pointer, Self.alignment, capacity) == 0, let pointer else {
            fatalError("out of memory for a \(capacity)-byte upload buffer")
        }
        base = pointer
        self.capacity = capacity
    }

    deinit { free(base) }

    var isFull: Bool { count == capacity }
    var spare: Int { capacity - count }
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Copies as much of `source[offset...]` as fits; returns how many bytes that was.
    func append<Source: Collection>(_ source: Source, from offset: Int) -> Int where Source.Element == UInt8 {
        let n = min(spare, source.count - offset)
        guard n > 0 else { return 0 }
        let copied = source.withContiguousStorageIfAvailable { contiguous -> Int in
            (base + count).copyMemory(from: contiguous.baseAddress! + offset, byteCount: n)
            return n
        }
        if copied == nil {
            let start = source.index(source.startIndex, offsetBy: offset)
            let target = (base + count).assumingMemoryBound(to: UInt8.self)
            for (i, byte) in source[start...].prefix(n).enumerated() { target[i] = byte }
        }
        count += n
        return n
    }

    /// Reads from `file` into the spare room until it is full or the file ends; returns the bytes
    /// read (0 at end of file) or the negative `errno`.
    func fill(from file: FileChunks.Reader) -> Int {
        var total = 0
        while spare > 0 {
            let n = file.read(into: base + count, count: spare)
            if n < 0 { return -Int(errno) }
            if n == 0 { break }
            count += n
            total += n
        }
        return total
    }

    /// Makes the buffer empty for its next use.
    func reset() { count = 0 }
}
