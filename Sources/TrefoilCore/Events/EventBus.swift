import Synchronization

/// Something that happened in the store that faces turn into protocol events.
public enum StoreEvent: Sendable, Equatable {
    /// A file became durable (its transaction committed).
    case fileUploaded(StoredFile)
}

/// The store's events: every face subscribes here.
public typealias EventBus = Broadcast<StoreEvent>

/// Fan-out to any number of subscribers, each with its own bounded buffer.
///
/// `publish` never waits: a subscriber that does not keep up loses the elements that overflow its
/// buffer (counted in `dropped`), and never slows the publisher or the other subscribers.
public final class Broadcast<Element: Sendable>: Sendable {
    private struct State {
        var next = 0
        var subscribers: [Int: Subscriber] = [:]
    }

    private struct Subscriber {
        let continuation: AsyncStream<Element>.Continuation
        let onDrop: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    private let droppedCount = Atomic<Int>(0)

    public init() {}

    /// A stream of every element published from now on; ends when its consumer cancels it.
    ///
    /// `onDrop` runs (on the publisher's task) for every element this subscriber loses.
    public func subscribe(bufferSize: Int = 1024, onDrop: (@Sendable () -> Void)? = nil) -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: Element.self, bufferingPolicy: .bufferingOldest(bufferSize))
        let id = state.withLock { state in
            state.next += 1
            state.subscribers[state.next] = Subscriber(continuation: continuation, onDrop: onDrop)
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    public func publish(_ element: Element) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            if case .dropped = subscriber.continuation.yield(element) {
                droppedCount.add(1, ordering: .relaxed)
                subscriber.onDrop?()
            }
        }
    }

    /// Ends every subscription (at shutdown).
    public func finishAll() {
        let subscribers = state.withLock { state in
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.continuation.finish() }
    }

    /// Elements lost to full subscriber buffers since start-up.
    public var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Current number of subscribers.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}
