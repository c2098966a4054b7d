import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import OneBotV11
import ServiceLifecycle
import TrefoilConfiguration
import TrefoilCore
import TrefoilFaceKit

/// Everything one running Trefoil needs: the store, the signer, the loaded config and the faces it enables.
///
/// `Gateway.open` is what `trefoil serve` and the integration tests both call; `run` serves until
/// SIGINT/SIGTERM (or cancellation) and shuts every service down in reverse order.
public struct Gateway: Sendable {
    public let config: TrefoilConfig
    public let tree: FileTree
    public let signer: LinkSigner
    public let logger: Logger
    /// Uploads arriving in pieces, for every face.
    public let pending: PendingUploads
    /// The faces the config enables, in the order they were listed.
    public let faces: [any Face]
    /// What the transports are connected to, for the console and `/metrics`.
    public let board: ConnectionBoard
    /// When the gateway opened the store (Unix seconds, the store's clock).
    public let startedAt: Int64
    /// The gateway's own Prometheus registry and its scrape.
    let metrics: GatewayMetrics
    /// Downloads answered in front of the HTTP decoder (`DownloadFastPath`).
    let fastPath = FastPathTally()
    private let lock: DataDirectoryLock

    /// Opens the data directory (taking its lock), cleans up after any crash, loads the signer, and builds each of
    /// `faces` that the config enables.
    ///
    /// `clock` (Unix seconds) is the store's; tests move it to see files expire and tokens run out.
    ///
    /// With `storage.blobs.backend` `s3`, the bucket is checked first (reachable, the credentials accepted, an object
    /// written and removed): a failure throws `TrefoilError.storageWriteFailed` with one line saying which.
    public static func open(
        config: TrefoilConfig, faces: [any Face.Type], logger: Logger,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) async throws -> Gateway {
        let directory = DataDirectory(path: config.storage.dataDir)
        let lock = try directory.lock()
        let backend = try await BlobBackends.open(config.storage.blobs)
        let tree: FileTree
        do {
            tree = try await FileTree.open(
                directory: directory, settings: FileTree.Settings(config),
                backend: backend ?? DiskBlobs(directory: directory), logger: logger,
                clock: clock)
        } catch {
            await BlobBackends.close(backend)
            throw error
        }
        let signer = try LinkSigner.load(configured: config.download.signingKey, directory: directory)
        let pending = PendingUploads(tree: tree, limits: PendingUploads.Limits(config.staging))
        let board = ConnectionBoard(clock: clock)
        let startedAt = tree.now
        let metrics = GatewayMetrics(
            enabled: config.metrics.enable, tree: tree, board: board, startedAt: startedAt, logger: logger)
        let context = FaceContext(
            store: tree, signer: signer, uploads: UploadService(store: tree, maxBodyBytes: config.server.maxBodyBytes),
            pending: pending, config: config, board: board, accessToken: config.onebot11.accessToken,
            startedAt: startedAt, metrics: metrics.factory, logger: logger)
        return Gateway(
            config: config, tree: tree, signer: signer, logger: logger, pending: pending,
            faces: faces.compactMap { $0.make(config: config, context: context) }, board: board, startedAt: startedAt,
            metrics: metrics, lock: lock)
    }

    /// Releases the data directory for another process once serving has stopped.
    public func close() { lock.release() }

    /// `close()`, and the blob backend's connections closed.
    public func close() async {
        await BlobBackends.close(tree.blobBackend)
        lock.release()
    }

    /// The host the listener binds: the configured one, or loopback when a face would let anyone in.
    public var bindHost: String {
        openFace == nil || Self.isLoopback(config.server.host) ? config.server.host : "127.0.0.1"
    }

    /// A face that asks no credential, with the reason.
    private var openFace: (name: String, reason: String)? {
        for face in faces { if let reason = face.openAccess { return (type(of: face).name, reason) } }
        return nil
    }

    /// The HTTP + WebSocket application with every service that lives as long as it does: the store's, then each
    /// face's.
    ///
    /// `port` overrides the configured port (0 picks a free one); `onServerRunning` learns the port.
    public func application(
        port: Int? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        let mounted = MountedFaces(faces)
        addMetrics(to: router, faces: mounted)
        router.get("/health") { _, _ in "ok" }
        for face in faces {
            let routes = face.routes()
            for prefix in face.prefixes { router.addRoutes(routes, atPath: RouterPath(prefix)) }
        }

        var services: [any Service] = [
            JanitorService(tree: tree, pending: pending, logger: logger),
            DownloadCountService(
                tree: tree, interval: .milliseconds(config.download.countFlushIntervalMS), logger: logger),
        ]
        for face in faces { services += face.services }
        if let listener = metricsListener() { services.append(listener) }
        return Application(
            router: router,
            server: webSocketServer(mounted),
            configuration: .init(
                address: .hostname(bindHost, port: port ?? config.server.port), serverName: "trefoil",
                availableConnectionsDelegate: ConnectionLimit(limit: connectionLimit, logger: logger)),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    private func webSocketServer(_ faces: MountedFaces) -> HTTPServerBuilder {
        // Invalid UTF-8 in a text message closes the connection with 1007 instead of reaching an action repaired.
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(),
            ws: .init(
                maxFrameSize: config.server.wsMaxMessageBytes, autoPing: .enabled(timePeriod: .seconds(30)),
                validateUTF8: true))
        // Answers the faces' download routes (`DownloadHandler`, on the HTTP/1 pipeline).
        let downloads = DownloadPlanner(
            tree: tree, routes: faces.downloadRoutes, metrics: metrics.factory,
            remote: RemoteDownloads(config.storage.blobs, backend: tree.blobBackend))
        return HTTPServerBuilder { responder in
            GatewayChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder, configuration: configuration,
                    shouldUpgrade: { request, channel, _ in
                        guard case .upgrade(let serve) = faces.webSocketUpgrade(request, peer: channel.remoteAddress)
                        else { return .dontUpgrade }
                        return .upgrade([:]) { inbound, outbound, _ in
                            FrameUnmasker.add(to: channel)
                            try await serve(inbound, outbound)
                        }
                    }),
                faces: faces, downloads: downloads, fastPath: fastPath,
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
        await close()
        logger.info("trefoil stopped")
    }

    private func logStartup() {
        let server = config.server
        if let open = openFace, !Self.isLoopback(server.host) {
            logger.warning("listening on 127.0.0.1 instead of \(server.host): \(open.name): \(open.reason)")
        }
        logger.info(
            "trefoil listening",
            metadata: [
                "address": "http://\(bindHost):\(server.port)",
                "data_dir": "\(tree.directory.root.path)",
                "faces": "\(faces.map { type(of: $0).name }.joined(separator: ", "))",
            ])
        for face in faces {
            logger.info("face enabled", metadata: face.logMetadata.merging(["face": "\(type(of: face).name)"]) { $1 })
        }
        logMetricsEndpoint()
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
