import HTTPTypes
import Logging
import NIOCore
import Synchronization

/// Which handshakes become OneBot connections: those on a OneBot path (`/`, `/api`, `/event`) that carry the
/// access token when one is set.
///
/// `verdict(for:peer:)` is the check that counts. It runs in the upgrader's `shouldUpgrade` (through the OneBot face's
/// `webSocketUpgrade`), on the very request the upgrader judges, so no spelling of `Upgrade` that the upgrader takes
/// (NIO splits the header on commas and trims each token: `websocket, foo`, `h2c, websocket`, `websocket,`) can skip
/// the token. A handshake refused there gets hummingbird-websocket's 400; `WebSocketAuthGuard` in front of the
/// upgrader turns the usual refusals into the 401/403 that HTTP requests get.
struct WebSocketUpgradePolicy: Sendable {
    /// Nil when no access token is configured.
    let token: AccessToken?
    let refusals: RefusedUpgradeLog

    /// What an upgrade request gets.
    enum Verdict: Equatable {
        /// Its token is missing or wrong, whatever its path (the HTTP API answers it 401 or 403).
        case refused
        /// Its path has no OneBot WebSocket.
        case notAWebSocketPath
        /// A OneBot connection with this role.
        case role(OneBotSocket.Role)
    }

    func verdict(for request: HTTPRequest, peer: SocketAddress?) -> Verdict {
        let target = request.path ?? ""
        guard admits(authorization: request.headerFields[.authorization], target: target, peer: peer) else {
            return .refused
        }
        return OneBotSocket.Role(path: target).map(Verdict.role) ?? .notAWebSocketPath
    }

    /// Whether a handshake's credentials pass the token check; a refusal is logged.
    func admits(authorization: String?, target: String, peer: SocketAddress?) -> Bool {
        guard let token else { return true }
        let verdict = token.check(authorization: authorization, target: target)
        if verdict != .allowed { refusals.record(verdict, target: target, peer: peer) }
        return verdict == .allowed
    }
}

/// Logs refused WebSocket handshakes, at most once a minute per client address, so that a client retrying
/// without its token cannot flood the log.
///
/// It remembers at most `capacity` addresses; while that many were logged within the minute, a new address goes
/// unlogged, so that many addresses cannot grow its memory either.
final class RefusedUpgradeLog: Sendable {
    private let logger: Logger
    private let interval: Duration
    private let capacity: Int
    private let lastLogged = Mutex<[String: ContinuousClock.Instant]>([:])

    init(logger: Logger, interval: Duration = .seconds(60), capacity: Int = 4096) {
        self.logger = logger
        self.interval = interval
        self.capacity = capacity
    }

    func record(_ verdict: AccessToken.Verdict, target: String, peer: SocketAddress?) {
        let address = peer?.ipAddress ?? "unknown"
        guard isDue(address, at: .now) else { return }
        // The query is left out: a wrong token in it is still somebody's secret.
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        logger.warning(
            "websocket handshake refused",
            metadata: [
                "client": "\(address)", "path": "\(path)",
                "reason": "\(verdict == .missing ? "no access token" : "wrong access token")",
            ])
    }

    /// Whether a refusal from `address` at `now` is logged, and if so, notes it.
    func isDue(_ address: String, at now: ContinuousClock.Instant) -> Bool {
        lastLogged.withLock { last in
            if let previous = last[address] {
                guard now - previous >= interval else { return false }
            } else if last.count >= capacity {
                last = last.filter { now - $0.value < interval }
                guard last.count < capacity else { return false }
            }
            last[address] = now
            return true
        }
    }
}
