import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import ServiceLifecycle
import TrefoilCore

/// One reverse WebSocket connection (PROTOCOL.md §1.4): Trefoil dials the bot framework, announces
/// itself with `X-Self-ID`, `X-Client-Role`, `User-Agent` and the access token, then serves the
/// connection exactly like a forward one. It reconnects forever, every `reconnect_interval_ms` plus
/// up to 20% jitter, and logs a failure once per change of state rather than on every attempt.
struct ReverseWebSocketClient: Service {
    let url: String
    let role: TrefoilConfig.ReverseWebSocket.Role
    let reconnectInterval: Duration
    let socket: OneBotSocket
    let selfID: Int64
    let accessToken: String
    let maxMessageBytes: Int
    let logger: Logger

    init(entry: TrefoilConfig.ReverseWebSocket, config: TrefoilConfig, socket: OneBotSocket, logger: Logger) {
        url = entry.effectiveURL ?? entry.url
        role = entry.role
        reconnectInterval = .milliseconds(entry.reconnectIntervalMS)
        self.socket = socket
        selfID = config.selfID
        accessToken = config.accessToken
        maxMessageBytes = config.server.wsMaxMessageBytes
        self.logger = logger
    }

    /// The handshake headers the bot side checks.
    var headers: HTTPFields {
        var headers: HTTPFields = [
            HTTPField.Name("X-Self-ID")!: String(selfID),
            HTTPField.Name("X-Client-Role")!: role.rawValue,
            .userAgent: "Trefoil/\(TrefoilVersion.current)",
        ]
        if !accessToken.isEmpty { headers[.authorization] = "Bearer \(accessToken)" }
        return headers
    }

    func run() async throws {
        // Invalid UTF-8 in a text message closes the connection with 1007 instead of reaching an action repaired.
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: maxMessageBytes, additionalHeaders: headers, autoPing: .enabled(timePeriod: .seconds(30)),
            validateUTF8: true)
        let metadata: Logger.Metadata = ["url": "\(url)", "role": "\(role.rawValue)"]
        var lastFailure: String?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let connected = AtomicFlag()
            do {
                _ = try await cancelWhenGracefulShutdown {
                    try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
                        inbound, outbound, _ in
                        connected.raise()
                        logger.info("reverse websocket connected", metadata: metadata)
                        try await socket.serve(OneBotSocket.Role(role), inbound: inbound, outbound: outbound)
                    }
                }
                if connected.isRaised {
                    logger.info("reverse websocket closed; reconnecting", metadata: metadata)
                    lastFailure = nil
                }
            } catch {
                let reason = "\(error)"
                if connected.isRaised {
                    logger.warning(
                        "reverse websocket closed on an error; reconnecting",
                        metadata: metadata.merging(["error": "\(reason)"]) { $1 })
                    lastFailure = nil
                } else {
                    if reason != lastFailure {
                        logger.warning(
                            "reverse websocket unreachable; retrying every \(reconnectInterval)",
                            metadata: metadata.merging(["error": "\(reason)"]) { $1 })
                    } else {
                        logger.debug("reverse websocket still unreachable", metadata: metadata)
                    }
                    lastFailure = reason
                }
            }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: jittered(reconnectInterval)) }
        }
    }

    /// The interval plus up to 20% more, so that many gateways restarting together do not knock in step.
    private func jittered(_ interval: Duration) -> Duration {
        interval + interval * Double.random(in: 0...0.2)
    }
}
