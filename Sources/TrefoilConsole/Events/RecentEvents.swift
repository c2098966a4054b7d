import ServiceLifecycle
import Synchronization
import TrefoilCore

/// The last `capacity` store events with when they arrived, for the overview: a ring filled by a service of the
/// face from a subscription taken at init, so that nothing published at start-up is missed.
final class RecentEvents: Service, Sendable {
    struct Entry: Sendable, Equatable {
        let time: Int64
        let event: StoreEvent
    }

    static let capacity = 100

    private let stream: AsyncStream<StoreEvent>
    private let ring = Mutex<[Entry]>([])
    private let now: @Sendable () -> Int64

    init(events: EventBus, now: @escaping @Sendable () -> Int64) {
        // Twice the ring: a burst larger than that only loses events the ring would drop anyway.
        stream = events.subscribe(bufferSize: 2 * Self.capacity)
        self.now = now
    }

    /// Newest first.
    var entries: [Entry] { ring.withLock { $0.reversed() } }

    func run() async {
        for await event in stream.cancelOnGracefulShutdown() {
            let entry = Entry(time: now(), event: event)
            ring.withLock { ring in
                ring.append(entry)
                if ring.count > Self.capacity { ring.removeFirst(ring.count - Self.capacity) }
            }
        }
    }
}
