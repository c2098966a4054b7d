import Foundation
import Synchronization

/// What the transports are connected to right now: open WebSocket connections, the reverse WebSocket targets and the
/// HTTP POST (webhook) targets with their counts. The transports write it as things happen; the console and
/// `/metrics` read a snapshot. One per gateway.
///
/// Every call takes one short lock: the board is written once per connection, dial or delivery, never per frame.
public final class ConnectionBoard: Sendable {
    /// Who dialled: a client of the gateway (`forward`) or the gateway itself (`reverse`).
    public enum Direction: String, Sendable, CaseIterable {
        case forward, reverse
    }

    /// One open WebSocket connection.
    public struct Connection: Sendable, Equatable {
        /// Unique within the board.
        public let id: Int
        public let direction: Direction
        /// `universal`, `api` or `event`.
        public let role: String
        /// The peer's `ip:port` (forward) or the target's URL (reverse).
        public let address: String
        /// Unix seconds.
        public let since: Int64
    }

    /// One reverse WebSocket target (a configured URL and role), whatever its state.
    public struct ReverseTarget: Sendable, Equatable {
        public let url: String
        public let role: String
        public var connected = false
        /// When it last connected or last failed (Unix seconds); nil before the first attempt ends.
        public var since: Int64?
        /// The last failure's text; nil once a connection succeeds.
        public var lastError: String?
        /// Failed dials and connections ended by an error.
        public var failures: Int64 = 0
    }

    /// One HTTP POST target.
    public struct WebhookTarget: Sendable, Equatable {
        public let url: String
        /// Events waiting in the target's queue when the snapshot was taken.
        public var queueDepth = 0
        public var delivered: Int64 = 0
        /// Failed attempts: each attempt that failed, retries included.
        public var failures: Int64 = 0
        public var retries: Int64 = 0
        /// Events lost: given up after the retry window, or refused by a full queue.
        public var dropped: Int64 = 0
        public var lastError: String?
        /// Unix seconds.
        public var lastErrorAt: Int64?
    }

    /// Everything on the board at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Oldest first.
        public var connections: [Connection]
        /// In registration order.
        public var reverse: [ReverseTarget]
        /// In registration order.
        public var webhooks: [WebhookTarget]
    }

    private struct State {
        var nextID = 0
        var connections: [Int: Connection] = [:]
        var reverse: [ReverseTarget] = []
        var webhooks: [WebhookTarget] = []
        var queueDepths: [@Sendable () -> Int] = []
    }

    private let state = Mutex(State())
    private let clock: @Sendable () -> Int64

    public init(clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.clock = clock
    }

    // MARK: connections

    /// Records an open connection; returns its id for `closed`.
    public func opened(_ direction: Direction, role: String, address: String) -> Int {
        let now = clock()
        return state.withLock { state in
            state.nextID += 1
            state.connections[state.nextID] = Connection(
                id: state.nextID, direction: direction, role: role, address: address, since: now)
            return state.nextID
        }
    }

    public func closed(_ id: Int) {
        _ = state.withLock { $0.connections.removeValue(forKey: id) }
    }

    // MARK: reverse targets

    /// Adds a reverse target, not connected; returns its id for the calls below.
    public func registerReverse(url: String, role: String) -> Int {
        state.withLock { state in
            state.reverse.append(ReverseTarget(url: url, role: role))
            return state.reverse.count - 1
        }
    }

    public func reverseConnected(_ id: Int) {
        let now = clock()
        state.withLock { state in
            state.reverse[id].connected = true
            state.reverse[id].since = now
            state.reverse[id].lastError = nil
        }
    }

    /// A dial that failed, or a connection that ended on an error.
    public func reverseFailed(_ id: Int, error: String) {
        let now = clock()
        state.withLock { state in
            state.reverse[id].connected = false
            state.reverse[id].since = now
            state.reverse[id].lastError = error
            state.reverse[id].failures += 1
        }
    }

    /// A connection that ended cleanly.
    public func reverseClosed(_ id: Int) {
        let now = clock()
        state.withLock { state in
            state.reverse[id].connected = false
            state.reverse[id].since = now
        }
    }

    // MARK: webhooks

    /// Adds a webhook target whose queue depth `queueDepth` tells; returns its id for the calls below.
    public func registerWebhook(url: String, queueDepth: @escaping @Sendable () -> Int) -> Int {
        state.withLock { state in
            state.webhooks.append(WebhookTarget(url: url))
            state.queueDepths.append(queueDepth)
            return state.webhooks.count - 1
        }
    }

    public func webhookDelivered(_ id: Int) {
        state.withLock { $0.webhooks[id].delivered += 1 }
    }

    public func webhookFailed(_ id: Int, error: String) {
        let now = clock()
        state.withLock { state in
            state.webhooks[id].failures += 1
            state.webhooks[id].lastError = error
            state.webhooks[id].lastErrorAt = now
        }
    }

    public func webhookRetried(_ id: Int) {
        state.withLock { $0.webhooks[id].retries += 1 }
    }

    public func webhookDropped(_ id: Int, count: Int = 1) {
        state.withLock { $0.webhooks[id].dropped += Int64(count) }
    }

    // MARK: reading

    public func snapshot() -> Snapshot {
        let (snapshot, depths) = state.withLock { state in
            (
                Snapshot(
                    connections: state.connections.values.sorted { ($0.since, $0.id) < ($1.since, $1.id) },
                    reverse: state.reverse, webhooks: state.webhooks),
                state.queueDepths
            )
        }
        var result = snapshot
        // Read outside the lock: a depth is another component's counter.
        for index in result.webhooks.indices { result.webhooks[index].queueDepth = depths[index]() }
        return result
    }
}
