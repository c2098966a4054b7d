import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import OneBotV11
import ServiceLifecycle
import TrefoilConfiguration
import TrefoilCore
import TrefoilFaceKit

/// The reverse WebSocket connections of one `reverse_ws` entry: one, or an `API` and an
/// `Event` connection when the entry gives `api_url` and `event_url` without `url`. For each, Trefoil dials the
/// bot framework, announces itself with `X-Self-ID`, `X-Client-Role`, `User-Agent` and the access token, then
/// serves the connection exactly like a forward one. Each reconnects forever, every `reconnect_interval_ms`
/// plus up to 20% jitter, and logs a failure once per change of state rather than on every attempt.
struct ReverseWebSocketClient: Service {
    typealias Connection = OneBot11Settings.ReverseWebSocket.Connection

    let connections: [Connection]
    let reconnectInterval: Duration
    let socket: OneBotSocket
    /// Each connection's state, for the console and `/metrics`, by the index of `connections`.
    let board: ConnectionBoard
    let boardIDs: [Int]
    let selfID: Int64
    let accessToken: String
    let maxMessageBytes: Int
    let logger: Logger

    init(
        entry: OneBot11Settings.ReverseWebSocket, config: TrefoilConfig, socket: OneBotSocket, board: ConnectionBoard,
        logger: Logger
    ) {
        connections = entry.connections
        reconnectInterval = .milliseconds(entry.reconnectIntervalMS)
        self.socket = socket
        self.board = board
        boardIDs = entry.connections.map {
            board.registerReverse(url: $0.url, role: OneBotSocket.Role($0.role).rawValue)
        }
        selfID = config.onebot11.selfID
        accessToken = config.onebot11.accessToken
        maxMessageBytes = config.server.wsMaxMessageBytes
        self.logger = logger
    }

    /// The handshake headers the bot side checks.
    func headers(for role: OneBot11Settings.ReverseWebSocket.Role) -> HTTPFields {
        var headers: HTTPFields = [
            HTTPField.Name("X-Self-ID")!: String(selfID),
            HTTPField.Name("X-Client-Role")!: role.rawValue,
            .userAgent: "Trefoil/\(TrefoilVersion.current)",
        ]
        if !accessToken.isEmpty { headers[.authorization] = "Bearer \(accessToken)" }
        return headers
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            for (connection, id) in zip(connections, boardIDs) {
                group.addTask { await keepConnected(connection, boardID: id) }
            }
        }
    }

    /// Dials `connection` and serves it, again and again, until shutdown.
    private func keepConnected(_ connection: Connection, boardID: Int) async {
        // Invalid UTF-8 in a text message closes the connection with 1007 instead of reaching an action repaired.
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: maxMessageBytes, additionalHeaders: headers(for: connection.role),
            autoPing: .enabled(timePeriod: .seconds(30)), validateUTF8: true)
        let metadata: Logger.Metadata = ["url": "\(connection.url)", "role": "\(connection.role.rawValue)"]
        var lastFailure: String?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let connected = AtomicFlag()
            do {
                _ = try await cancelWhenGracefulShutdown {
                    try await WebSocketClient.connect(url: connection.url, configuration: configuration, logger: logger)
                    { inbound, outbound, _ in
                        connected.raise()
                        board.reverseConnected(boardID)
                        logger.info("reverse websocket connected", metadata: metadata)
                        try await socket.serve(
                            OneBotSocket.Role(connection.role), direction: .reverse, address: connection.url,
                            inbound: inbound, outbound: outbound)
                    }
                }
                if connected.isRaised {
                    board.reverseClosed(boardID)
                    logger.info("reverse websocket closed; reconnecting", metadata: metadata)
                    lastFailure = nil
                }
            } catch {
                let reason = "\(error)"
                if Task.isShuttingDownGracefully || Task.isCancelled {
                    board.reverseClosed(boardID)
                } else {
                    board.reverseFailed(boardID, error: reason)
                }
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
