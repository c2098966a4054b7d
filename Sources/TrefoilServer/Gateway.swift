import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import OneBotV11
import ServiceLifecycle
import TrefoilConfiguration
import TrefoilCore

/// Everything one running Trefoil needs: the store, the signer and the loaded config.
///
/// `Gateway.open` is what `trefoil serve` and the integration tests both call; `run` serves until
/// SIGINT/SIGTERM (or cancellation) and shuts every service down in reverse order.
public struct Gateway: Sendable {
    public let config: TrefoilConfig
    public let tree: FileTree
    public let signer: LinkSigner
    public let logger: Logger
    private let lock: DataDirectoryLock

    /// Opens the data directory (taking its lock), cleans up after any crash and loads the signer.
    public static func open(config: TrefoilConfig, logger: Logger) throws -> Gateway {
        let directory = DataDirectory(path: config.storage.dataDir)
        let lock = try directory.lock()
        let tree = try FileTree.open(directory: directory, settings: FileTree.Settings(config), logger: logger)
        let signer = try LinkSigner.load(configured: config.download.signingKey, directory: directory)
        return Gateway(config: config, tree: tree, signer: signer, logger: logger, lock: lock)
    }

    /// Releases the data directory for another process once serving has stopped.
    public func close() { lock.release() }

    /// The host the listener binds: the configured one, or loopback when no access token guards it.
    public var bindHost: String {
        config.accessToken.isEmpty && !Self.isLoopback(config.server.host) ? "127.0.0.1" : config.server.host
    }

    /// The HTTP + WebSocket application with every service that lives as long as it does.
    ///
    /// `port` overrides the configured port (0 picks a free one); `onServerRunning` learns the port.
    public func application(
        port: Int? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let stats = TransportStats()
        let frames = Broadcast<EventFrame>()
        let fetcher = URLFetcher(config: config)
        let context = ActionContext(
            tree: tree, signer: signer, config: config, fetcher: fetcher,
            transportStats: {
                var snapshot = stats.snapshot()
                snapshot["packet_lost"] = Int64(frames.dropped)
                return snapshot
            })
        let table = ActionTable(context: context, logger: logger)
        let token = AccessToken(config.accessToken)

        let router = Router(context: BasicRequestContext.self)
        router.get("/health") { _, _ in "ok" }
        APIRoutes(
            table: table, uploads: UploadReceiver(table: table, maxBodyBytes: config.server.maxBodyBytes),
            paramsLimit: BodyLimit(bytes: config.server.maxRequestBytes, key: "server.max_request_bytes"),
            callLimit: BodyLimit(bytes: config.server.wsMaxMessageBytes, key: "server.ws_max_message_bytes"),
            stats: stats
        ).register(on: router, auth: AuthMiddleware(token: token))

        let socket = OneBotSocket(
            table: table, events: frames, stats: stats, maxMessageBytes: config.server.wsMaxMessageBytes,
            logger: logger)
        let server = webSocketServer(socket, token: config.accessToken.isEmpty ? nil : token)

        var services: [any Service] = [
            JanitorService(tree: tree, logger: logger), table.background, EventFanout(context: context, frames: frames),
        ]
        services.append(
            DownloadCountService(
                tree: tree, interval: .milliseconds(config.download.countFlushIntervalMS), logger: logger))
        for entry in config.reverseWS {
            services.append(ReverseWebSocketClient(entry: entry, config: config, socket: socket, logger: logger))
        }
        for target in config.httpPost {
            services.append(WebhookDelivery(target: target, config: config, frames: frames, logger: logger))
        }
        if config.heartbeat.enable {
            services.append(
                HeartbeatService(
                    context: context, frames: frames, interval: .milliseconds(config.heartbeat.intervalMS),
                    intervalMS: config.heartbeat.intervalMS))
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(
                address: .hostname(bindHost, port: port ?? config.server.port), serverName: "trefoil",
                availableConnectionsDelegate: ConnectionLimit(limit: connectionLimit, logger: logger)),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// Answers signed download links (`DownloadHandler`, on the HTTP/1 pipeline).
    private var downloads: DownloadPlanner { DownloadPlanner(tree: tree, signer: signer) }

    private func webSocketServer(_ webSocket: OneBotSocket, token: AccessToken?) -> HTTPServerBuilder {
        let upgrades = WebSocketUpgradePolicy(token: token, refusals: RefusedUpgradeLog(logger: logger))
        // Invalid UTF-8 in a text message closes the connection with 1007 instead of reaching an action repaired.
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(),
            ws: .init(
                maxFrameSize: config.server.wsMaxMessageBytes, autoPing: .enabled(timePeriod: .seconds(30)),
                validateUTF8: true))
        return HTTPServerBuilder { responder in
            GatewayChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder, configuration: configuration,
                    shouldUpgrade: { request, channel, _ in
                        guard let role = upgrades.role(for: request, peer: channel.remoteAddress) else {
                            return .dontUpgrade
                        }
                        return .upgrade([:]) { inbound, outbound, _ in
                            try await webSocket.serve(role, inbound: inbound, outbound: outbound)
                        }
                    }),
                upgrades: upgrades, downloads: downloads,
                idleTimeout: .milliseconds(Int64(config.server.idleTimeoutMS)),
                logger: logger)
        }
    }

    /// `server.max_connections`, lowered to what the process's open-file limit allows.
    private var connectionLimit: Int {
        ConnectionLimit.effective(configured: config.server.maxConnections, openFiles: OpenFileLimit.current)
    }

    /// Serves until a shutdown signal arrives.
    ///
    /// A graceful shutdown lets requests under way finish for `server.shutdown_timeout_ms`, then cancels what is
    /// left, which closes its connections.
    public func run() async throws {
        let files = OpenFileLimit.raise()
        logStartup()
        logger.info(
            "connection limits",
            metadata: [
                "max_connections": "\(connectionLimit)",
                "server.max_connections": "\(config.server.maxConnections)",
                "open_file_limit": "\(files.after)",
                "open_file_limit_at_start": "\(files.before)",
            ])
        let app = application()
        // Services shut down in reverse order: the notice goes first.
        let notice = ShutdownNotice(timeoutMS: config.server.shutdownTimeoutMS, logger: logger)
        var configuration = ServiceGroupConfiguration(
            services: [app, notice], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .milliseconds(config.server.shutdownTimeoutMS)
        // A last resort against a task that ignores cancellation: crash rather than hang. Nothing committed is lost
        // by it (every commit is one SQLite transaction; stray temp files are swept at the next start).
        configuration.maximumCancellationDuration = .seconds(10)
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
        close()
        logger.info("trefoil stopped")
    }

    private func logStartup() {
        let server = config.server
        if config.accessToken.isEmpty && !Self.isLoopback(server.host) {
            logger.warning(
                "no access_token is set: listening on 127.0.0.1 instead of \(server.host). Anyone who can reach the port could manage every group's files; set access_token to listen on \(server.host)."
            )
        }
        logger.info(
            "trefoil listening",
            metadata: [
                "address": "http://\(bindHost):\(server.port)",
                "data_dir": "\(tree.directory.root.path)",
                "access_token": "\(config.accessToken.isEmpty ? "not set" : "set")",
                "ws_paths": "/ (api+events), /api, /event",
            ])
        logger.info("config", metadata: ["settings": "\(config.redactedSummary)"])
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}

/// Says when a graceful shutdown begins and how long it may take, so that the wait is explained in the log.
private struct ShutdownNotice: Service {
    let timeoutMS: Int
    let logger: Logger

    func run() async {
        // Cancelled without a graceful shutdown: nothing to announce.
        guard (try? await gracefulShutdown()) != nil else { return }
        logger.info(
            "shutting down: requests under way may finish, then what is left is closed",
            metadata: ["server.shutdown_timeout_ms": "\(timeoutMS)"])
    }
}
