import Foundation
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Pieces of pending uploads")
struct PieceWritesTests {
    /// Runs `body` with a new, empty file in a temp folder, opened for reading and writing as a pending upload's is.
    private func withPendingFile(_ body: (_ path: String, _ fd: Int32) throws -> Void) throws {
        let folder = makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/piece.pending"
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        defer { close(fd) }
        try body(path, fd)
    }

    @Test("the second descriptor of a pending file is direct, so aligned pieces skip the page cache")
    func secondDescriptorIsDirect() throws {
        try withPendingFile { path, _ in
            let direct = PieceWrites.openDirect(path)
            defer { close(direct) }
            #expect(direct >= 0)
            #expect(fcntl(direct, F_GETFL) & directFlag == directFlag)
        }
    }

    /// Pieces aligned and not, overlapping, and a buffered write over bytes written directly and the other way round:
    /// the file reads back, through the buffered descriptor, as the last write of every byte.
    @Test("aligned, unaligned and overlapping pieces read back as the last write of every byte")
    func mixedPiecesReadBackExactly() throws {
        try withPendingFile { path, fd in try mixedPieces(path: path, fd: fd) }
    }

    private func mixedPieces(path: String, fd: Int32) throws {
        let total = 3 << 20
        #expect(ftruncate(fd, off_t(total)) == 0)
        let direct = PieceWrites.openDirect(path)
        defer { close(direct) }
        var expected = [UInt8](repeating: 0, count: total)
        let pieces: [(offset: Int, count: Int)] = [
            (0, 1 << 20),  // aligned, whole pages
            ((1 << 20) + 100, 5000),  // unaligned start: buffered
            (2 << 20, 4096 * 3 + 77),  // aligned start, unaligned tail
            (4096, 8192),  // buffered bytes are written again directly
            ((1 << 20) + 4096, 4096),  // a direct write over bytes just written through the page cache
            (4096 + 10, 20),  // and buffered bytes over a direct write
            (total - 4096, 4096),  // the last page
        ]
        for (index, piece) in pieces.enumerated() {
            let bytes = pseudoRandomBytes(piece.count, seed: UInt64(index + 7))
            let failure = bytes.withUnsafeBytes {
                PieceWrites.write($0, at: Int64(piece.offset), fd: fd, directFD: direct)
            }
            #expect(failure == 0, "piece \(index)")
            expected.replaceSubrange(piece.offset..<(piece.offset + piece.count), with: bytes)
        }
        #expect(readFile(path) == expected)
    }

    @Test("a piece written with no direct descriptor goes through the page cache alone")
    func withoutDirectDescriptor() throws {
        try withPendingFile { path, fd in
            let bytes = pseudoRandomBytes(3 * 4096, seed: 3)
            #expect(bytes.withUnsafeBytes { PieceWrites.write($0, at: 4096, fd: fd, directFD: -1) } == 0)
            #expect(readFile(path) == [UInt8](repeating: 0, count: 4096) + bytes)
        }
    }

    @Test("aligned buffers are reused up to the number kept; bigger ones and more are unmapped")
    func buffersAreReused() throws {
        let buffers = AlignedBuffers(keep: 1, largest: 2 << 20)
        let first = try #require(buffers.take(5000))
        #expect(first.capacity == 8192)  // whole pages
        #expect(Int(bitPattern: first.base) % 4096 == 0)
        let second = try #require(buffers.take(4096))
        buffers.giveBack(first)
        buffers.giveBack(second)  // one is kept already: this one is unmapped
        let again = try #require(buffers.take(4096))
        #expect(again.base == first.base)
        let big = try #require(buffers.take(3 << 20))
        #expect(big.capacity == 3 << 20)
        buffers.giveBack(again)
        buffers.giveBack(big)  // over `largest`: unmapped, not kept
        let fresh = try #require(buffers.take(2 << 20))  // the kept 8 KiB buffer is too small for it
        #expect(fresh.capacity == 2 << 20)
        #expect(try #require(buffers.take(1)).base == first.base)
        buffers.giveBack(fresh)
    }
}
