import Crypto
import Dispatch

/// The store's digests of a byte stream fed in order, piece by piece: MD5 on one thread while SHA-256 and SHA-1 run
/// on another (the balance `IngestPipeline` found: MD5 is the slowest), SHA3-256 on a third when asked for.
///
/// Not thread-safe: one caller at a time (a pending upload feeds it under its own lock), and only from a thread that
/// may block (`DispatchQueue.blockingCalls`), since `update` waits for its lanes.
final class RunningDigests: @unchecked Sendable {
    private var md5 = Insecure.MD5()
    private var sha256 = SHA256()
    private var sha1 = Insecure.SHA1()
    private var sha3: SHA3_256?

    init(computeSHA3: Bool) {
        sha3 = computeSHA3 ? SHA3_256() : nil
    }

    /// Hashes `bytes` into every digest; `alongside` runs on a lane of its own meanwhile (a write of the same bytes).
    func update(_ bytes: UnsafeRawBufferPointer, alongside: (() -> Void)? = nil) {
        // Each lane touches its own state only; `sha3Lane` is decided before any lane starts. The buffer and the
        // closure outlive the lanes: `concurrentPerform` returns when every lane has.
        nonisolated(unsafe) let bytes = bytes
        nonisolated(unsafe) let alongside = alongside
        let sha3Lane = sha3 == nil ? -1 : 2
        let lanes = 2 + (sha3 == nil ? 0 : 1) + (alongside == nil ? 0 : 1)
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            switch lane {
            case 0: md5.update(bufferPointer: bytes)
            case 1:
                sha256.update(bufferPointer: bytes)
                sha1.update(bufferPointer: bytes)
            case sha3Lane: sha3?.update(bufferPointer: bytes)
            default: alongside?()
            }
        }
    }

    func finalize() -> Digests {
        Digests(
            sha256: sha256.finalize().hexString, md5: md5.finalize().hexString, sha1: sha1.finalize().hexString,
            sha3: sha3?.finalize().hexString ?? "")
    }
}
