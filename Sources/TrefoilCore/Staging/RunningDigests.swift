import Crypto
import Dispatch
import Foundation

/// The store's digests of a byte stream fed in order, piece by piece: MD5 on one lane while SHA-256 and SHA-1 run
/// on another (the balance `IngestPipeline` found: MD5 is the slowest), SHA3-256 on a third when asked for.
///
/// The lanes are serial queues of their own, not `DispatchQueue.concurrentPerform`: on Linux that runs on the global
/// queue's threads, which Swift's cooperative pool also runs on, so hashing 4 MiB there can hold the pool's threads
/// for milliseconds at a time. (With it, the two tests that watch the pool for blocked threads failed in two full
/// runs; with these lanes the full run passed.)
///
/// A piece that arrived whole (a fragment) is hashed behind its caller (`updateBehind`): the caller writes it and
/// answers while the lanes go on, so the hashing of one fragment overlaps the receipt and parsing of the next. At most
/// one piece is ever behind: the next call waits for it first, and so does `finalize`.
///
/// Not thread-safe: one caller at a time (a pending upload feeds it under its own lock), and only from a thread that
/// may block (`DispatchQueue.blockingCalls`), since `update` waits for its lanes.
final class RunningDigests: @unchecked Sendable {
    private var md5 = Insecure.MD5()
    private var sha256 = SHA256()
    private var sha1 = Insecure.SHA1()
    private var sha3: SHA3_256?
    private let md5Lane = DispatchQueue(label: "trefoil.pending.md5")
    private let shaLane = DispatchQueue(label: "trefoil.pending.sha")
    private let sha3Lane: DispatchQueue?
    /// The lanes' work on the piece hashed behind the caller, if any.
    private let behind = DispatchGroup()

    init(computeSHA3: Bool) {
        sha3 = computeSHA3 ? SHA3_256() : nil
        sha3Lane = computeSHA3 ? DispatchQueue(label: "trefoil.pending.sha3") : nil
    }

    /// Hashes `bytes` into every digest; `alongside` runs on the caller's thread meanwhile (a write of the same
    /// bytes). Returns once every lane is done with `bytes`.
    func update(_ bytes: UnsafeRawBufferPointer, alongside: (() -> Void)? = nil) {
        // The buffer outlives the lanes: `wait` returns only when every lane has finished with it.
        nonisolated(unsafe) let bytes = bytes
        let lanes = DispatchGroup()
        md5Lane.async(group: lanes) { self.md5.update(bufferPointer: bytes) }
        shaLane.async(group: lanes) {
            self.sha256.update(bufferPointer: bytes)
            self.sha1.update(bufferPointer: bytes)
        }
        sha3Lane?.async(group: lanes) { self.sha3?.update(bufferPointer: bytes) }
        alongside?()
        lanes.wait()
    }

    /// Hashes `bytes` on the lanes and returns without waiting for them, once the piece before is done. The lanes are
    /// serial queues, so pieces fed by `update` afterwards are hashed after this one.
    func updateBehind(_ bytes: Data) {
        behind.wait()
        md5Lane.async(group: behind) { bytes.withUnsafeBytes { self.md5.update(bufferPointer: $0) } }
        shaLane.async(group: behind) {
            bytes.withUnsafeBytes {
                self.sha256.update(bufferPointer: $0)
                self.sha1.update(bufferPointer: $0)
            }
        }
        sha3Lane?.async(group: behind) { bytes.withUnsafeBytes { self.sha3?.update(bufferPointer: $0) } }
    }

    func finalize() -> Digests {
        behind.wait()
        return Digests(
            sha256: sha256.finalize().hexString, md5: md5.finalize().hexString, sha1: sha1.finalize().hexString,
            sha3: sha3?.finalize().hexString ?? "")
    }
}
