import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The bytes of a local file (or any readable descriptor) as an async sequence of chunks.
public struct FileChunks: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    /// Owns the descriptor; the upload path reads through it directly (`BlobStore.ingest`).
    let reader: Reader
    private let chunkSize: Int

    /// Opens `path` for reading; throws `.localFileNotFound` when it cannot.
    public init(path: String, chunkSize: Int = 1 << 20) throws(TrefoilError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .localFileNotFound("cannot read \(path): \(errnoText())") }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .localFileNotFound("\(path) is not a regular file")
        }
        self.init(descriptor: fd, ownsDescriptor: true, chunkSize: chunkSize)
    }

    /// Reads an already open descriptor (standard input, a pipe) until end of file.
    public init(descriptor: Int32, ownsDescriptor: Bool = false, chunkSize: Int = 1 << 20) {
        reader = Reader(fd: descriptor, owns: ownsDescriptor)
        self.chunkSize = chunkSize
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(reader: reader, chunkSize: chunkSize)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let reader: Reader
        let chunkSize: Int

        public mutating func next() async throws -> [UInt8]? {
            try await reader.read(chunkSize)
        }
    }

    /// Owns the descriptor so that it is closed once, when the last copy of the sequence is gone.
    public final class Reader: @unchecked Sendable {
        let fd: Int32
        private let owns: Bool
        /// Where every read runs: a read may wait on a slow disk, a stalled network mount or a silent pipe, and
        /// must never hold one of the cooperative pool's threads meanwhile.
        private let lane = DispatchQueue(label: "trefoil.file.read")

        init(fd: Int32, owns: Bool) {
            self.fd = fd
            self.owns = owns
        }

        func read(_ count: Int) async throws(TrefoilError) -> [UInt8]? {
            try await lane.perform { () throws(TrefoilError) -> [UInt8]? in
                var chunk = [UInt8](repeating: 0, count: count)
                let n = chunk.withUnsafeMutableBytes { raw in self.read(into: raw.baseAddress!, count: count) }
                if n < 0 { throw .localFileNotFound("reading failed: \(errnoText())") }
                if n == 0 { return nil }
                chunk.removeLast(count - n)
                return chunk
            }
        }

        /// Fills `chunk` from the file (`IngestChunk.fill`), on the reader's own thread.
        func fill(_ chunk: IngestChunk) async -> Int {
            await lane.perform { chunk.fill(from: self) }
        }

        /// One `read(2)` into `buffer`, repeated when a signal interrupts it: the bytes read, 0 at the
        /// end, or -1 with `errno` set.
        func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
            while true {
                let n = Glibc.read(fd, buffer, count)
                if n < 0 && errno == EINTR { continue }
                return n
            }
        }

        deinit { if owns { close(fd) } }
    }
}
