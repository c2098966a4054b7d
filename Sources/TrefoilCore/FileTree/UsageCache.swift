import Synchronization

/// Spaces' usage counters (`space.used_space`, `space.file_count`) as last read, valid until the next
/// write transaction ends.
///
/// A space's usage is one indexed lookup of about 5 µs, but a GRDB read around it costs
/// 80–120 µs of CPU (reader checkout, a hop to the reader's queue, `BEGIN`/`COMMIT`, the schema
/// check; measured in release on this machine, docs/performance.md fix 9), so bots that ask before
/// every upload paid for the machinery, not the query.
///
/// Every write transaction calls `invalidate()` when it ends, committed or not. A reader notes the
/// generation before it reads and keeps its result only if no write ended in between, so an entry
/// never outlives a write that has returned to its caller.
final class UsageCache: Sendable {
    struct Usage: Sendable, Equatable {
        var usedSpace: Int64
        var fileCount: Int64
    }

    private struct State {
        var generation: UInt64 = 0
        var entries: [Owner: Usage] = [:]
    }

    private let state = Mutex(State())

    /// The current generation, to pass back to `store` after reading. It moves on with every write that ends,
    /// so listings are stamped with it too (`FileTree.stampedList`).
    var generation: UInt64 { state.withLock { $0.generation } }

    func usage(of owner: Owner) -> Usage? { state.withLock { $0.entries[owner] } }

    /// Keeps `usage`, read after `generation` was taken, unless a write has ended since.
    func store(_ usage: Usage, of owner: Owner, readAfter generation: UInt64) {
        state.withLock { state in
            if state.generation == generation { state.entries[owner] = usage }
        }
    }

    func invalidate() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
        }
    }
}
