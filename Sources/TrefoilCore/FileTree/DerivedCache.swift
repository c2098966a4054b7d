import Synchronization

/// Derived blobs as last read, by source and variant: a made thumbnail is then served after one read of the store
/// (the file's lookup) rather than two.
///
/// A derived row never changes; it only goes, with its source blob (the collector) or when fsck forgets a damaged
/// one. Both call `invalidate()`, which moves the generation on and empties the cache. A reader notes the
/// generation before it reads and keeps its result only if nothing was invalidated in between, so an entry never
/// outlives the row it was read from. Measured (release, keep-alive GETs of a made thumbnail against a 10 KB
/// download, docs/performance.md): the second read held thumbnail requests to 0.74× of the download.
final class DerivedCache: Sendable {
    private struct Key: Hashable {
        let source: String
        let variant: String
    }

    private struct State {
        var generation: UInt64 = 0
        var entries: [Key: DerivedBlob] = [:]
    }

    /// Beyond this many entries the cache starts over (about 10 MB of keys at most).
    static let capacity = 65_536

    private let state = Mutex(State())

    var generation: UInt64 { state.withLock { $0.generation } }

    func blob(source: String, variant: String) -> DerivedBlob? {
        state.withLock { $0.entries[Key(source: source, variant: variant)] }
    }

    /// Keeps `blob`, read after `generation` was taken, unless the cache was invalidated since.
    func store(_ blob: DerivedBlob, source: String, variant: String, readAfter generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[Key(source: source, variant: variant)] = blob
        }
    }

    func invalidate() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
        }
    }
}
