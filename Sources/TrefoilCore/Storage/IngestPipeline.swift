import Crypto
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a stream of chunks to a file while computing its digests, in one pass, on both cores.
///
/// MD5 is the slowest digest we always compute (about 670 MB/s here, against about 1,600 for SHA-256
/// and SHA-1 with the CPU's SHA instructions), so it gets a lane of its own; SHA-256, SHA-1 and the
/// file write share the other, which balances the two lanes. SHA3-256 (about 425 MB/s) gets a third
/// lane when asked for. Each lane is a serial queue that owns its state, so chunks are processed in
/// order per lane while the lanes run in parallel and the producer reads ahead by up to `window` chunks.
final class IngestPipeline: @unchecked Sendable {
    // Lane state: each is touched only on its own queue until `finish` has drained every lane.
    private var md5 = Insecure.MD5()
    private var sha256 = SHA256()
    private var sha1 = Insecure.SHA1()
    private var sha3: SHA3_256?
    private var writeError: String?
    /// Bytes written so far, and how many of them have been handed to write-back already.
    private var written: Int64 = 0
    private var flushed: Int64 = 0
    /// Start write-back every this many bytes, so that the final fsync waits only for the tail.
    static let flushStep: Int64 = 8 << 20

    private let fd: Int32
    private let md5Lane = DispatchQueue(label: "trefoil.ingest.md5")
    private let mainLane = DispatchQueue(label: "trefoil.ingest.sha256")
    private let sha3Lane: DispatchQueue?
    private let window: AsyncWindow

    init(fd: Int32, computeSHA3: Bool, window: Int = 8) {
        self.fd = fd
        self.window = AsyncWindow(permits: window)
        if computeSHA3 {
            sha3 = SHA3_256()
            sha3Lane = DispatchQueue(label: "trefoil.ingest.sha3")
        } else {
            sha3Lane = nil
        }
    }

    /// Hands one chunk to every lane; waits only when `window` chunks are already in flight.
    func feed(_ chunk: [UInt8]) async {
        await window.acquire()
        let group = DispatchGroup()
        md5Lane.async(group: group) { self.md5.update(data: chunk) }
        mainLane.async(group: group) {
            self.sha256.update(data: chunk)
            self.sha1.update(data: chunk)
            if self.writeError == nil { self.writeError = writeAll(self.fd, chunk) }
            self.written += Int64(chunk.count)
            if self.written - self.flushed >= Self.flushStep {
                #if os(Linux)
                    // 2 is SYNC_FILE_RANGE_WRITE: start write-back now so the final fsync has less to wait for.
                    _ = linuxSyncFileRange(self.fd, self.flushed, self.written - self.flushed, 2)
                #endif
                self.flushed = self.written
            }
        }
        sha3Lane?.async(group: group) { self.sha3?.update(data: chunk) }
        let window = self.window
        group.notify(queue: .global()) { window.release() }
    }

    /// Waits for every lane, fsyncs the file and returns the digests.
    func finish() async throws(TrefoilError) -> Digests {
        await window.drain()
        if let writeError { throw .storageWriteFailed("writing the upload failed: \(writeError)") }
        guard fsync(fd) == 0 else { throw .storageWriteFailed("fsync of the upload failed: \(errnoText())") }
        return Digests(
            sha256: sha256.finalize().hexString,
            md5: md5.finalize().hexString,
            sha1: sha1.finalize().hexString,
            sha3: sha3?.finalize().hexString ?? ""
        )
    }

    /// Waits for in-flight chunks so that no lane touches the file after the caller closes it.
    func abandon() async { await window.drain() }
}

/// Writes every byte or returns the reason it could not.
private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> String? {
    bytes.withUnsafeBytes { raw -> String? in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errnoText()
            }
            offset += n
        }
        return nil
    }
}

#if os(Linux)
    /// `sync_file_range(2)`, which Glibc's Swift module does not export (it needs _GNU_SOURCE).
    @_silgen_name("sync_file_range")
    private func linuxSyncFileRange(_ fd: Int32, _ offset: Int64, _ count: Int64, _ flags: UInt32) -> Int32
#endif
