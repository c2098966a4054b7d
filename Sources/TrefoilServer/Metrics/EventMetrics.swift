import CoreMetrics

/// The ways OneBot events leave the gateway, as the `kind` label of the event series.
enum EventChannelKind: String, Sendable, CaseIterable {
    case forwardWebSocket = "forward_ws"
    case reverseWebSocket = "reverse_ws"
    case httpPost = "http_post"
}

/// Counts the events one kind of channel sent (`trefoil_events_sent_total`) and lost to a full buffer
/// (`trefoil_events_dropped_total`).
struct EventMetrics: Sendable {
    let sentCounter: Counter
    let droppedCounter: Counter

    init(_ kind: EventChannelKind, factory: any MetricsFactory) {
        let dimensions = [("kind", kind.rawValue)]
        sentCounter = Counter(label: "trefoil_events_sent_total", dimensions: dimensions, factory: factory)
        droppedCounter = Counter(label: "trefoil_events_dropped_total", dimensions: dimensions, factory: factory)
    }

    func sent() { sentCounter.increment() }
    func dropped() { droppedCounter.increment() }
}
