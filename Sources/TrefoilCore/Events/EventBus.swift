import Synchronization

/// Something that happened in the store that faces turn into protocol events.
public enum StoreEvent: Sendable, Equatable {
    /// A file became durable (its transaction committed).
    case fileUploaded(StoredFile)
}

/// Fan-out of store events to any number of subscribers, each with its own bounded buffer.
///
/// `publish` never waits: a subscriber that does not keep up loses the events that overflow its
/// buffer (counted in `dropped`), and never slows the writer or the other subscribers.
public final class EventBus: Sendable {
    private struct State {
        var next = 0
        var subscribers: [Int: AsyncStream<StoreEvent>.Continuation] = [:]
    }

    private let state = Mutex(State())
    private let droppedCount = Atomic<Int>(0)

    public init() {}

    /// A stream of every event published from now on; ends when the bus's subscriber cancels it.
    public func subscribe(bufferSize: Int = 1024) -> AsyncStream<StoreEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: StoreEvent.self, bufferingPolicy: .bufferingOldest(bufferSize))
        let id = state.withLock { state in
            state.next += 1
            state.subscribers[state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    public func publish(_ event: StoreEvent) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            if case .dropped = subscriber.yield(event) {
                droppedCount.add(1, ordering: .relaxed)
            }
        }
    }

    /// Events lost to full subscriber buffers since start-up.
    public var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Current number of subscribers.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}
