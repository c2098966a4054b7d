import Synchronization
import TrefoilCore

/// The last `capacity` store events with when they arrived, for the overview: a ring filled as each event is published
/// (`Broadcast.observe`), from init on, so that nothing published at start-up is missed.
final class RecentEvents: Sendable {
    struct Entry: Sendable, Equatable {
        let time: Int64
        let event: StoreEvent
    }

    static let capacity = 100

    private let ring = Mutex<[Entry]>([])
    private let now: @Sendable () -> Int64

    init(events: EventBus, now: @escaping @Sendable () -> Int64) {
        self.now = now
        events.observe { [self] event in record(event) }
    }

    private func record(_ event: StoreEvent) {
        let entry = Entry(time: now(), event: event)
        ring.withLock { ring in
            ring.append(entry)
            if ring.count > Self.capacity { ring.removeFirst(ring.count - Self.capacity) }
        }
    }

    /// Newest first.
    var entries: [Entry] { ring.withLock { $0.reversed() } }
}
