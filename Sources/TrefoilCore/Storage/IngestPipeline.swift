import Crypto
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a stream of chunks to a file while computing its digests, in one pass, on both cores.
///
/// MD5 is the slowest digest we always compute (about 480 MB/s here, against about 1,200 for SHA-256
/// and SHA-1 with the CPU's SHA instructions), so it gets a lane of its own; SHA-256 and SHA-1 share
/// a second, which balances the two. SHA3-256 (about 425 MB/s) gets a lane when asked for. The file
/// write has a lane of its own because it waits on the disk, not the CPU: full chunks go to the disk
/// with `O_DIRECT` when the file was opened so (no copy into the page cache), and every `syncStep`
/// bytes a flush lane runs `fdatasync`, so that the disk makes the file durable while the hashing
/// goes on instead of all at the end (docs/performance.md, fix 13). Each lane is a serial queue that
/// owns its state, so chunks are processed in order per lane while the lanes run in parallel; the
/// producer fills up to `window` chunks ahead, and a chunk is reused once every lane is done with it.
final class IngestPipeline: @unchecked Sendable {
    static let chunkSize = 1 << 20
    /// Ask for an `fdatasync` every this many bytes, unless told otherwise.
    static let defaultSyncStep: Int64 = 64 << 20
    /// Start write-back of buffered writes every this many bytes (only without `O_DIRECT`).
    static let writeBackStep: Int64 = 8 << 20

    // Lane state: each is touched only on its own queue until `drain` has waited for every lane.
    private var md5 = Insecure.MD5()
    private var sha256 = SHA256()
    private var sha1 = Insecure.SHA1()
    private var sha3: SHA3_256?
    private var writeError: Int32 = 0
    /// Whether the descriptor still has `O_DIRECT`; the write lane drops it for an unaligned tail or
    /// when the file system refuses a direct write.
    private var direct: Bool
    /// Bytes written so far; how many of them were handed to write-back, and to `fdatasync`.
    private var written: Int64 = 0
    private var startedWriteBack: Int64 = 0
    private var requestedSync: Int64 = 0
    /// How many `fdatasync`s the flush lane ran (read it after `finish`).
    private(set) var syncs = 0

    private let fd: Int32
    private let syncStep: Int64
    private let md5Lane = DispatchQueue(label: "trefoil.ingest.md5")
    private let shaLane = DispatchQueue(label: "trefoil.ingest.sha")
    private let writeLane = DispatchQueue(label: "trefoil.ingest.write")
    private let flushLane = DispatchQueue(label: "trefoil.ingest.flush")
    private let sha3Lane: DispatchQueue?
    /// At most one `fdatasync` waits to start (another may be running); requests meanwhile fold into it.
    private let syncQueued = Atomic<Bool>(false)
    private let flushes = DispatchGroup()
    private let window: AsyncWindow
    /// Chunks every lane is done with, ready for the producer.
    private let free = Mutex<[IngestChunk]>([])

    init(fd: Int32, computeSHA3: Bool, window: Int = 16, syncStep: Int64 = defaultSyncStep) {
        self.fd = fd
        self.syncStep = syncStep
        self.window = AsyncWindow(permits: window)
        direct = fcntl(fd, F_GETFL) & directFlag != 0
        if computeSHA3 {
            sha3 = SHA3_256()
            sha3Lane = DispatchQueue(label: "trefoil.ingest.sha3")
        } else {
            sha3Lane = nil
        }
    }

    /// An empty chunk for the producer to fill; waits while `window` chunks are in flight.
    /// Every chunk taken must go back through `feed` or `giveBack`.
    func takeChunk() async -> IngestChunk {
        await window.acquire()
        return free.withLock { $0.popLast() } ?? IngestChunk(capacity: Self.chunkSize)
    }

    /// Hands a filled chunk to every lane. The producer must not touch it afterwards.
    func feed(_ chunk: IngestChunk) {
        let group = DispatchGroup()
        md5Lane.async(group: group) { self.md5.update(bufferPointer: chunk.bytes) }
        shaLane.async(group: group) {
            self.sha256.update(bufferPointer: chunk.bytes)
            self.sha1.update(bufferPointer: chunk.bytes)
        }
        writeLane.async(group: group) { self.write(chunk.bytes) }
        sha3Lane?.async(group: group) { self.sha3?.update(bufferPointer: chunk.bytes) }
        group.notify(queue: .global()) { self.giveBack(chunk) }
    }

    /// Copies `piece` into `chunk`, handing every chunk that fills up to the lanes and taking the next.
    func append<Piece: Collection>(_ piece: Piece, into chunk: inout IngestChunk) async where Piece.Element == UInt8 {
        var offset = 0
        while offset < piece.count {
            offset += chunk.append(piece, from: offset)
            if chunk.isFull {
                feed(chunk)
                chunk = await takeChunk()
            }
        }
    }

    /// Makes a chunk free again: once every lane is done with it, or when the upload failed while
    /// filling it.
    func giveBack(_ chunk: IngestChunk) {
        chunk.reset()
        free.withLock { $0.append(chunk) }
        window.release()
    }

    /// Runs on the write lane. Writes are positional, so a direct write the file system refuses
    /// halfway can be repeated through the page cache without moving anything.
    private func write(_ bytes: UnsafeRawBufferPointer) {
        guard writeError == 0 else { return }
        var offset = 0
        if direct {
            let aligned = bytes.count - bytes.count % IngestChunk.alignment
            if aligned > 0 {
                let error = writeAll(fd, UnsafeRawBufferPointer(rebasing: bytes[..<aligned]), at: written)
                if error == EINVAL {
                    // This file system takes no direct writes (or not at this alignment).
                    leaveDirect()
                } else if error != 0 {
                    writeError = error
                    return
                } else {
                    offset = aligned
                }
            }
            // An unaligned tail (the upload's last bytes) goes through the page cache.
            if offset < bytes.count { leaveDirect() }
        }
        if offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            writeError = writeAll(fd, rest, at: written + Int64(offset))
            if writeError != 0 { return }
        }
        written += Int64(bytes.count)
        if !direct, written - startedWriteBack >= Self.writeBackStep {
            #if os(Linux)
                // 2 is SYNC_FILE_RANGE_WRITE: start write-back now, without waiting for it.
                _ = linuxSyncFileRange(fd, startedWriteBack, written - startedWriteBack, 2)
            #endif
            startedWriteBack = written
        }
        if written - requestedSync >= syncStep {
            requestedSync = written
            requestSync()
        }
    }

    private func leaveDirect() {
        direct = false
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~directFlag)
    }

    /// Queues an `fdatasync` on the flush lane unless one is already waiting to start.
    private func requestSync() {
        guard !syncQueued.exchange(true, ordering: .acquiringAndReleasing) else { return }
        flushLane.async(group: flushes) {
            self.syncQueued.store(false, ordering: .releasing)
            // A failure here shows again in `finish`'s fsync, which decides the upload's fate.
            _ = fdatasync(self.fd)
            self.syncs += 1
        }
    }

    /// Waits for every lane and flush, fsyncs the file and returns the digests.
    func finish() async throws(TrefoilError) -> Digests {
        await drain()
        if writeError != 0 {
            throw .storageWriteFailed("writing the upload failed: \(errnoText(writeError))")
        }
        // Off the cooperative pool, like every other wait on the disk here.
        let failure = await flushLane.perform { fsync(self.fd) == 0 ? 0 : errno }
        guard failure == 0 else { throw .storageWriteFailed("fsync of the upload failed: \(errnoText(failure))") }
        return Digests(
            sha256: sha256.finalize().hexString,
            md5: md5.finalize().hexString,
            sha1: sha1.finalize().hexString,
            sha3: sha3?.finalize().hexString ?? ""
        )
    }

    /// Waits for in-flight chunks and flushes so that nothing touches the file after the caller closes it.
    func abandon() async { await drain() }

    private func drain() async {
        await window.drain()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            flushes.notify(queue: .global()) { done.resume() }
        }
    }
}

/// `O_DIRECT`, which Glibc's Swift module does not export (it needs _GNU_SOURCE); 0 (buffered
/// writes only) where its value is not known here.
#if os(Linux) && arch(x86_64)
    let directFlag: Int32 = 0o40000
#elseif os(Linux) && arch(arm64)
    let directFlag: Int32 = 0o200000
#else
    let directFlag: Int32 = 0
#endif

#if os(Linux)
    /// `sync_file_range(2)`, which Glibc's Swift module does not export (it needs _GNU_SOURCE).
    @_silgen_name("sync_file_range")
    private func linuxSyncFileRange(_ fd: Int32, _ offset: Int64, _ count: Int64, _ flags: UInt32) -> Int32
#endif
