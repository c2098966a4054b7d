import HummingbirdCore
import Logging

/// Stops accepting connections while `limit` are open, so that a flood of connections cannot take every file
/// descriptor (and with it the store's files and every other client). Connections over the limit wait in the
/// kernel's listen backlog and are served once one closes; silent ones close within `server.idle_timeout_ms`.
///
/// Hummingbird's `MaximumAvailableConnections` does the counting the same way but says nothing when the limit is
/// hit; an operator needs to know, so the first time (and then at most once a minute) this logs a warning. NIO
/// accepts up to four connections a wake-up before asking again, so a burst may pass the limit by up to three.
struct ConnectionLimit: AvailableConnectionsDelegate {
    let limit: Int
    let logger: Logger
    private var open = 0
    private var lastWarning: ContinuousClock.Instant?

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    mutating func connectionOpened() {
        open += 1
        guard open >= limit else { return }
        let now = ContinuousClock.now
        if let lastWarning, now - lastWarning < .seconds(60) { return }
        lastWarning = now
        logger.warning(
            "connection limit reached: new connections wait until one closes",
            metadata: ["open": "\(open)", "limit": "\(limit)", "key": "server.max_connections"])
    }

    mutating func connectionClosed() { open -= 1 }

    func isAcceptingNewConnections() -> Bool { open < limit }

    /// The limit in force: the configured one, lowered to what the open-file limit allows. Each connection may hold
    /// two descriptors (its socket and a blob it sends or receives); the first `reserved` stay for SQLite, the data
    /// directory lock, outbound connections and URL fetches.
    static func effective(configured: Int, openFiles: Int, reserved: Int = 256) -> Int {
        max(1, min(configured, (openFiles - reserved) / 2))
    }
}
