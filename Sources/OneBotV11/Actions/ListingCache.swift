import Synchronization
import TrefoilCore
import TrefoilJSON

/// Rendered listings (`get_group_root_files`, `get_group_files_by_folder`) kept for as long as the store
/// says the same call would return the same thing (`FileTree.isCurrent`): until the next write
/// transaction ends, or one of the folder's files expires.
///
/// Bots list the same folders again and again. A page of 50 files cost the server about 730 µs of CPU,
/// a third of it in SQLite and the rest in GRDB's read machinery and in writing the JSON, against
/// 60–75 µs for an action that touches no storage; answered from here it costs about what that action
/// costs (docs/performance.md, fix 12). A hit takes one lock and reads the clock, never the database.
///
/// Memory is bounded: a rendering over `maxEntryBytes` is not kept, and when the entries would pass
/// `maxEntries` or `maxBytes` all are dropped first (most of them are stale by then anyway: any write
/// makes every entry stale).
final class ListingCache: Sendable {
    struct Key: Hashable, Sendable {
        var group: Int64
        var folder: FolderID
        var limit: Int?
        var offset: Int
    }

    private struct Entry {
        var stamp: ListingStamp
        var listing: JSONValue
        var size: Int
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var bytes = 0
    }

    static let maxEntryBytes = 1 << 20
    static let maxEntries = 1024
    static let maxBytes = 32 << 20

    private let state = Mutex(State())

    /// The listing object for `key`, from the cache when it still holds, else from the store.
    func listing(_ key: Key, in tree: FileTree) async throws -> JSONValue {
        if let entry = state.withLock({ $0.entries[key] }), tree.isCurrent(entry.stamp) { return entry.listing }
        let (listing, stamp) = try await tree.stampedList(
            key.folder, in: OneBotIDs.text(key.group), limit: key.limit, offset: key.offset)
        let rendered = listing.listingObject
        let size = if case .fragment(let fragment) = rendered { fragment.count } else { Self.maxEntryBytes }
        if size < Self.maxEntryBytes {
            state.withLock { state in
                if let old = state.entries[key] { state.bytes -= old.size }
                if state.entries.count >= Self.maxEntries || state.bytes + size > Self.maxBytes {
                    state.entries.removeAll(keepingCapacity: true)
                    state.bytes = 0
                }
                state.entries[key] = Entry(stamp: stamp, listing: rendered, size: size)
                state.bytes += size
            }
        }
        return rendered
    }

    /// How many listings are kept (for tests).
    var count: Int { state.withLock { $0.entries.count } }
}
