import Synchronization

/// Live files by id as last read, valid until the next write transaction ends: a signed download link is then
/// answered from memory, on the event loop, without a read of the store.
///
/// A GRDB read costs 80–120 µs of CPU and two thread hops (`UsageCache` says why); nginx answers a 10 KB file in
/// about 40 µs, so the reads held small-file downloads to about a tenth of its rate (issue 18, docs/performance.md).
/// Every write transaction calls `invalidate()` when it ends, committed or not (a rename, a move, a delete), except
/// the flush of download counts, which would otherwise empty the cache every second under load: a cached file's
/// `downloadTimes` may lag the store's, as the store's lags the downloads. A reader notes the generation before it
/// reads and keeps its result only if no write ended in between, so an entry never outlives a write that has returned
/// to its caller. Expiry is checked by the caller on every hit: a file whose dead time passes drops out without a
/// write.
final class FileCache: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var entries: [String: StoredFile] = [:]
    }

    /// Beyond this many entries the cache starts over (a few tens of MB at most).
    static let capacity = 65_536

    private let state = Mutex(State())

    var generation: UInt64 { state.withLock { $0.generation } }

    func file(_ id: String) -> StoredFile? { state.withLock { $0.entries[id] } }

    /// Keeps `file`, read after `generation` was taken, unless a write has ended since.
    func store(_ file: StoredFile, readAfter generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[file.id.rawValue] = file
        }
    }

    func invalidate() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
        }
    }
}

/// The bytes of blobs kept in the database (`Settings.inlineBlobBytes`), by SHA-256, as last read.
///
/// Content-addressed, so an entry is never wrong: bytes are only ever asked for by a file whose SHA-256 they hash
/// to, whether or not the blob was collected and stored again meanwhile. Only their total is bounded.
final class InlineBytesCache: Sendable {
    private struct State {
        var entries: [String: [UInt8]] = [:]
        var total = 0
    }

    /// Beyond this many bytes the cache starts over.
    static let capacity = 64 << 20

    private let state = Mutex(State())

    func bytes(_ sha256: String) -> [UInt8]? { state.withLock { $0.entries[sha256] } }

    func store(_ bytes: [UInt8], for sha256: String) {
        state.withLock { state in
            guard state.entries[sha256] == nil, bytes.count <= Self.capacity else { return }
            if state.total + bytes.count > Self.capacity {
                state.entries.removeAll(keepingCapacity: true)
                state.total = 0
            }
            state.entries[sha256] = bytes
            state.total += bytes.count
        }
    }
}
