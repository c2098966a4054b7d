import Synchronization

/// Something that happened in the store, published after its transaction committed; faces turn the events they
/// have words for into their own protocol's events and ignore the rest.
///
/// Each carries the request that caused it (`origin`, when the caller named one) and, through `owner`, its
/// space. Changes that no caller asked for are not events: files that expire (the janitor removes them some
/// time after they stopped being visible) and files or folders that go with a deleted folder (the one
/// `folderDeleted` covers them). A space's notices publish no event yet: no face has words to tell its clients
/// about one; a case joins these when a face does.
public enum StoreEvent: Sendable, Equatable {
    /// A file became durable: an upload or a link (`FileTree.link`) committed.
    case fileStored(StoredFile, origin: EventOrigin?)
    /// A file was deleted by `FileTree.deleteFile`, or replaced by a commit with `replacing`; the value is the file as
    /// it was.
    case fileDeleted(StoredFile, origin: EventOrigin?)
    case folderCreated(Folder, origin: EventOrigin?)
    /// The folder with its new name.
    case folderRenamed(Folder, origin: EventOrigin?)
    /// A folder was deleted with everything inside it; the value is the folder as it was.
    case folderDeleted(Folder, origin: EventOrigin?)

    /// The space the event happened in.
    public var owner: Owner {
        switch self {
        case .fileStored(let file, _), .fileDeleted(let file, _): file.owner
        case .folderCreated(let folder, _), .folderRenamed(let folder, _), .folderDeleted(let folder, _):
            folder.owner
        }
    }

    /// The request that caused the event, when its caller named one.
    public var origin: EventOrigin? {
        switch self {
        case .fileStored(_, let origin), .fileDeleted(_, let origin), .folderCreated(_, let origin),
            .folderRenamed(_, let origin), .folderDeleted(_, let origin):
            origin
        }
    }
}

/// The request that caused a change, as the caller names it. The store does not read it: it carries it from the
/// task that made the change to the event that reports the change, so that a transport can tell the events its
/// own requests caused from everybody else's.
///
/// A caller sets it around its call with `EventOrigin.$current.withValue(origin) { ... }`; work that the call
/// hands to other tasks (a background job) carries none.
public struct EventOrigin: Hashable, Sendable {
    public let id: UInt64

    public init(id: UInt64) { self.id = id }

    @TaskLocal public static var current: EventOrigin?
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
        var observers: [@Sendable (Element) -> Void] = []
    }

    private struct Subscriber {
        let continuation: AsyncStream<Element>.Continuation
        let onDrop: (@Sendable () -> Void)?
        let onEnqueue: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    private let droppedCount = Atomic<Int>(0)

    public init() {}

    /// A stream of every element published from now on; ends when its consumer cancels it.
    ///
    /// `onDrop` runs (on the publisher's task) for every element this subscriber loses, `onEnqueue` for every element
    /// its buffer takes (a consumer that counts what it takes off knows its queue's depth).
    public func subscribe(
        bufferSize: Int = 1024, onDrop: (@Sendable () -> Void)? = nil, onEnqueue: (@Sendable () -> Void)? = nil
    ) -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: Element.self, bufferingPolicy: .bufferingOldest(bufferSize))
        let id = state.withLock { state in
            state.next += 1
            state.subscribers[state.next] = Subscriber(
                continuation: continuation, onDrop: onDrop, onEnqueue: onEnqueue)
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Calls `observer` with every element published from now on, on the publisher's task before `publish` returns,
    /// for as long as the broadcast lives: for a consumer that only records or forwards what it sees, so it must be
    /// quick and never wait. It costs no task and no wake-up per element, which a subscription's stream does (two,
    /// counting the consumer's task and a graceful-shutdown merge, for every upload; issue 18).
    public func observe(_ observer: @escaping @Sendable (Element) -> Void) {
        state.withLock { $0.observers.append(observer) }
    }

    public func publish(_ element: Element) {
        let (subscribers, observers) = state.withLock { (Array($0.subscribers.values), $0.observers) }
        for observer in observers { observer(element) }
        for subscriber in subscribers {
            switch subscriber.continuation.yield(element) {
            case .dropped:
                droppedCount.add(1, ordering: .relaxed)
                subscriber.onDrop?()
            case .enqueued: subscriber.onEnqueue?()
            case .terminated: break
            @unknown default: break
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
