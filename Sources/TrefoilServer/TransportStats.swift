import Synchronization

/// Counters of the transports, reported by `get_status` and heartbeats under go-cqhttp's names.
final class TransportStats: Sendable {
    let requestsReceived = Atomic<Int64>(0)
    let framesSent = Atomic<Int64>(0)
    let eventsLost = Atomic<Int64>(0)
    let disconnects = Atomic<Int64>(0)
    let connections = Atomic<Int64>(0)

    func snapshot() -> [String: Int64] {
        [
            "packet_received": requestsReceived.load(ordering: .relaxed),
            "packet_sent": framesSent.load(ordering: .relaxed),
            "packet_lost": eventsLost.load(ordering: .relaxed),
            "disconnect_times": disconnects.load(ordering: .relaxed),
            "lost_times": 0,
            "message_received": 0,
            "message_sent": 0,
            "last_message_time": 0,
            "ws_connections": connections.load(ordering: .relaxed),
        ]
    }
}
