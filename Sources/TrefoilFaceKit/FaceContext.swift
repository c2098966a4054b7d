import CoreMetrics
import Logging
import TrefoilConfiguration
import TrefoilCore

/// What the gateway gives every face it builds: the one store and the services every face shares.
public struct FaceContext: Sendable {
    /// The store: every face reads and writes the same spaces, and sees the others' uploads.
    public let store: FileTree
    /// Signs and checks link signatures with the data directory's key.
    public let signer: LinkSigner
    /// Streams request bodies (raw or multipart) into the store's staging area.
    public let uploads: UploadService
    /// Uploads arriving in pieces, shared by every face that takes them (the janitor collects the abandoned ones).
    public let pending: PendingUploads
    /// The core's and the transports' settings (limits, `server.public_url`…); a face's own are its section's.
    public let config: TrefoilConfig
    /// What the transports are connected to (WebSocket clients, reverse and webhook targets), for the console and
    /// `/metrics`.
    public let board: ConnectionBoard
    /// The gateway's access token (the top-level `access_token`), "" when none is set: the credential of the
    /// operator's own tools (the console's sign-in, `/metrics`) when they have none of their own.
    public let accessToken: String
    /// When the gateway opened the store (Unix seconds, the store's clock): uptime is `store.now - startedAt`.
    public let startedAt: Int64
    /// The gateway's metrics factory (its own Prometheus registry, or a no-op when `metrics.enable` is false): what a
    /// face records with swift-metrics' API, such as its uploads (`TransferMetrics`).
    public let metrics: any MetricsFactory
    public let logger: Logger

    public init(
        store: FileTree, signer: LinkSigner, uploads: UploadService, pending: PendingUploads, config: TrefoilConfig,
        board: ConnectionBoard = ConnectionBoard(), accessToken: String = "", startedAt: Int64? = nil,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) {
        self.store = store
        self.signer = signer
        self.uploads = uploads
        self.pending = pending
        self.config = config
        self.board = board
        self.accessToken = accessToken
        self.startedAt = startedAt ?? store.now
        self.metrics = metrics
        self.logger = logger
    }

    /// The store's event bus: a file stored or deleted through any face, for every face to tell its clients.
    public var events: EventBus { store.events }

    /// The base of the links a face mints (`server.public_url` without a trailing slash): append the face's own path.
    public var publicURL: String { config.server.linkBase }
}
