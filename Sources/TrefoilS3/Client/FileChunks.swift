import Foundation
import NIOCore
import NIOPosix

/// A region of a file read in chunks on NIO's blocking-I/O thread pool: the body of an upload to the object store,
/// streamed from the temp file without holding it in memory.
struct FileRegionChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let path: String
    let range: Range<Int64>
    let chunkSize: Int

    init(path: String, range: Range<Int64>, chunkSize: Int = 1 << 20) {
        self.path = path
        self.range = range
        self.chunkSize = chunkSize
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let path: String
        var offset: Int64
        let end: Int64
        let chunkSize: Int
        var descriptor: FileDescriptor?

        /// Closes the file when the iterator goes away, whether or not it reached the end.
        final class FileDescriptor: Sendable {
            let value: Int32
            init(_ value: Int32) { self.value = value }
            deinit { close(value) }
        }

        mutating func next() async throws -> ByteBuffer? {
            guard offset < end else { return nil }
            if descriptor == nil {
                let path = self.path
                let fd = try await NIOThreadPool.singleton.runIfActive { open(path, O_RDONLY | O_CLOEXEC) }
                guard fd >= 0 else { throw S3Error(status: 0, code: "unreadable", message: path, operation: "read") }
                descriptor = FileDescriptor(fd)
            }
            let fd = descriptor!.value
            let count = Int(Swift.min(Int64(chunkSize), end - offset))
            let at = offset
            let buffer = try await NIOThreadPool.singleton.runIfActive { () throws -> ByteBuffer in
                var buffer = ByteBufferAllocator().buffer(capacity: count)
                let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
                    var done = 0
                    while done < count {
                        let got = pread(fd, raw.baseAddress! + done, count - done, off_t(at) + off_t(done))
                        if got > 0 {
                            done += got
                        } else if got < 0 && errno == EINTR {
                            continue
                        } else {
                            break
                        }
                    }
                    return done
                }
                guard read == count else {
                    throw S3Error(
                        status: 0, code: "short read", message: "\(read) of \(count) bytes", operation: "read")
                }
                return buffer
            }
            offset += Int64(count)
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(path: path, offset: range.lowerBound, end: range.upperBound, chunkSize: chunkSize)
    }
}
