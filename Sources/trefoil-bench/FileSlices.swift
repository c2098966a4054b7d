import Foundation

/// Ranges of a file read with `pread`, from any task: the fragments a client sends, and what the fragments it
/// receives must equal.
final class FileSlices: Sendable {
    let path: String
    let size: Int64
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BenchError("cannot open \(path): \(String(cString: strerror(errno)))") }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            close(fd)
            throw BenchError("cannot stat \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.fd = fd
        self.size = Int64(status.st_size)
    }

    deinit { close(fd) }

    /// The bytes `[offset, offset + count)`, which must lie inside the file.
    func read(offset: Int64, count: Int) throws -> Data {
        var data = Data(count: count)
        try data.withUnsafeMutableBytes { try read(offset: offset, into: $0) }
        return data
    }

    /// Fills `buffer` with the bytes from `offset`, which must lie inside the file.
    func read(offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws {
        let count = buffer.count
        var done = 0
        while done < count {
            let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        guard done == count else {
            throw BenchError("\(path): read \(done) of the \(count) bytes at \(offset)")
        }
    }

    /// Where each piece of `pieceBytes` starts and how long it is, the last one shorter when the size is not a
    /// multiple.
    func pieces(of pieceBytes: Int) -> [(offset: Int64, count: Int)] {
        stride(from: Int64(0), to: size, by: pieceBytes).map { ($0, Int(min(Int64(pieceBytes), size - $0))) }
    }
}
