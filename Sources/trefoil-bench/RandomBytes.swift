import Foundation

/// Incompressible test content from a fast PRNG (wyrand), written in 1 MiB chunks so that no file
/// is ever held in memory. `/dev/urandom` is several times slower here, and zeros might be
/// special-cased by a filesystem or a link.
struct RandomBytes {
    private var state: UInt64
    static let chunkBytes = 1 << 20

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0xA076_1D64_78BD_642F
        let product = state.multipliedFullWidth(by: state ^ 0xE703_7ED1_A0B4_28DB)
        return product.high ^ product.low
    }

    /// Writes `count` bytes to `fd`; throws when the descriptor refuses them (a closed pipe).
    mutating func fill(_ fd: Int32, count: Int64) throws(BenchError) {
        var chunk = [UInt64](repeating: 0, count: Self.chunkBytes / 8)
        var left = count
        while left > 0 {
            let length = Int(min(Int64(Self.chunkBytes), left))
            try chunk.withUnsafeMutableBufferPointer { words throws(BenchError) in
                for index in 0..<(length + 7) / 8 { words[index] = next() }
                let raw = UnsafeRawBufferPointer(words)
                var offset = 0
                while offset < length {
                    let written = write(fd, raw.baseAddress! + offset, length - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw BenchError("writing test bytes failed: \(String(cString: strerror(errno)))")
                    }
                    offset += written
                }
            }
            left -= Int64(length)
        }
    }

    /// `count` random bytes in memory, for the small files the bench sends whole; a distinct `seed` per file keeps
    /// the server's deduplication from skipping the write.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = RandomBytes(seed: seed)
        var words = [UInt64](repeating: 0, count: (count + 7) / 8)
        for index in words.indices { words[index] = generator.next() }
        return words.withUnsafeBytes { Array($0.prefix(count)) }
    }

    /// Creates (or replaces) a file of `count` random bytes.
    static func makeFile(at path: String, count: Int64, seed: UInt64) throws(BenchError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var generator = RandomBytes(seed: seed)
        try generator.fill(fd, count: count)
    }
}
