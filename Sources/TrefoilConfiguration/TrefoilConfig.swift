/// The server's settings, as loaded from the config file and `TREFOIL_` environment variables.
///
/// Every initializer argument defaults to the embedded default; `ConfigLoader` builds a validated value from the
/// config file and environment. Each face's settings are its own section's (`self[Settings.self]`).
public struct TrefoilConfig: Sendable, Equatable {
    /// Where the HTTP and WebSocket listener binds and how large requests may be.
    public var server: Server
    /// Where persistent data lives.
    public var storage: Storage
    /// Limits on every file and folder.
    public var limits: Limits
    /// Quota and retention of each kind of space.
    public var spaces: Spaces
    /// Rules for accepting uploaded files.
    public var upload: Upload
    /// Rules for signed download URLs.
    public var download: Download
    /// Staged files and uploads that arrive in pieces.
    public var staging: Staging
    /// The Prometheus endpoint.
    public var metrics: Metrics
    /// The settings of the faces' sections.
    var sections = ConfigSections()

    /// Creates a config; every argument defaults to the embedded default.
    public init(
        server: Server = Server(),
        storage: Storage = Storage(),
        limits: Limits = Limits(),
        spaces: Spaces = Spaces(),
        upload: Upload = Upload(),
        download: Download = Download(),
        staging: Staging = Staging(),
        metrics: Metrics = Metrics()
    ) {
        self.server = server
        self.storage = storage
        self.limits = limits
        self.spaces = spaces
        self.upload = upload
        self.download = download
        self.staging = staging
        self.metrics = metrics
    }

    /// The listener's address and request size limits.
    public struct Server: Sendable, Equatable {
        /// The address to bind, such as `127.0.0.1` or `0.0.0.0`.
        public var host: String
        /// The TCP port to bind.
        public var port: Int
        /// The base URL clients use to reach this server, used when building download links.
        public var publicURL: String
        /// `publicURL` without trailing slashes: the base every face appends a minted link's path to.
        public var linkBase: String { String(publicURL.reversed().drop(while: { $0 == "/" }).reversed()) }
        /// The largest HTTP upload body accepted (streamed to storage), in bytes.
        public var maxBodyBytes: Int64
        /// The largest WebSocket message accepted, in bytes.
        public var wsMaxMessageBytes: Int
        /// The most `_async` and `_rate_limited` actions accepted and not yet finished; more are refused.
        public var maxBackgroundActions: Int
        /// The most bytes of requests those actions may hold (a base64 upload holds its file); more are refused.
        public var maxBackgroundBytes: Int64
        /// The largest request body read into memory (JSON, form) for an action that is not an upload, in bytes.
        public var maxRequestBytes: Int
        /// How long a connection may go without a complete request head, in milliseconds: from its opening, and
        /// between requests on a kept-alive connection.
        public var idleTimeoutMS: Int
        /// The most connections open at once; more wait in the listen backlog until one closes.
        public var maxConnections: Int
        /// How long a graceful shutdown lets requests under way finish before closing what is left, in milliseconds.
        public var shutdownTimeoutMS: Int

        /// Creates server settings; every argument defaults to the embedded default.
        public init(
            host: String = "127.0.0.1",
            port: Int = 5700,
            publicURL: String = "http://127.0.0.1:5700",
            maxBodyBytes: Int64 = 4_294_967_296,
            wsMaxMessageBytes: Int = 67_108_864,
            maxRequestBytes: Int = 1_048_576,
            idleTimeoutMS: Int = 60_000,
            maxConnections: Int = 10_000,
            shutdownTimeoutMS: Int = 30_000,
            maxBackgroundActions: Int = 64,
            maxBackgroundBytes: Int64 = 134_217_728
        ) {
            self.host = host
            self.port = port
            self.publicURL = publicURL
            self.maxBodyBytes = maxBodyBytes
            self.wsMaxMessageBytes = wsMaxMessageBytes
            self.maxBackgroundActions = maxBackgroundActions
            self.maxBackgroundBytes = maxBackgroundBytes
            self.maxRequestBytes = maxRequestBytes
            self.idleTimeoutMS = idleTimeoutMS
            self.maxConnections = maxConnections
            self.shutdownTimeoutMS = shutdownTimeoutMS
        }
    }

    /// Where persistent data lives.
    public struct Storage: Sendable, Equatable {
        /// The directory for the database and stored files.
        public var dataDir: String
        /// Where the blobs (the files' bytes) are kept.
        public var blobs: Blobs

        /// Creates storage settings; every argument defaults to the embedded default.
        public init(dataDir: String = "./data", blobs: Blobs = Blobs()) {
            self.dataDir = dataDir
            self.blobs = blobs
        }
    }

    /// `storage.blobs`: the local folder under `data_dir` (`disk`, the default) or an S3-compatible bucket (`s3`).
    public struct Blobs: Sendable, Equatable {
        /// `disk` or `s3`.
        public var backend: String
        public var s3: S3
        /// Files of at most this many bytes keep them in the database instead of the backend (0: none), committed
        /// with the file's row (`FileTree.Settings.inlineBlobBytes`).
        public var inlineMaxBytes: Int

        public init(backend: String = "disk", s3: S3 = S3(), inlineMaxBytes: Int = 16_384) {
            self.backend = backend
            self.s3 = s3
            self.inlineMaxBytes = inlineMaxBytes
        }
    }

    /// `storage.blobs.s3`: the bucket, its credentials and how downloads reach it.
    public struct S3: Sendable, Equatable {
        /// `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`…
        public var endpoint: String
        public var region: String
        public var bucket: String
        /// Keys are `<prefix>/<sha256>` (just `<sha256>` when empty).
        public var prefix: String
        public var accessKeyID: String
        /// A secret: never logged, never shown in a problem.
        public var secretAccessKey: String
        /// `endpoint/bucket/key` (MinIO, Ceph, most self-hosted stores) instead of `bucket.endpoint/key`.
        public var pathStyle: Bool
        /// Objects larger than this go up as multipart uploads of parts this size.
        public var partSizeBytes: Int64
        /// Parts of one multipart upload sent at once.
        public var partConcurrency: Int
        /// The bound on one request to the store.
        public var timeoutMS: Int
        /// `proxy`: downloads stream through Trefoil; `redirect`: 302 to a presigned URL of the object.
        public var downloads: String
        /// How long a presigned URL of a `redirect` answer works.
        public var presignTTLSeconds: Int
        /// How long an object stays after its last file went (`FileTree.Settings.blobGraceSeconds`).
        public var deleteGraceSeconds: Int

        public init(
            endpoint: String = "", region: String = "us-east-1", bucket: String = "", prefix: String = "blobs",
            accessKeyID: String = "", secretAccessKey: String = "", pathStyle: Bool = true,
            partSizeBytes: Int64 = 16 << 20, partConcurrency: Int = 4, timeoutMS: Int = 30_000,
            downloads: String = "proxy", presignTTLSeconds: Int = 300, deleteGraceSeconds: Int = 900
        ) {
            self.endpoint = endpoint
            self.region = region
            self.bucket = bucket
            self.prefix = prefix
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.pathStyle = pathStyle
            self.partSizeBytes = partSizeBytes
            self.partConcurrency = partConcurrency
            self.timeoutMS = timeoutMS
            self.downloads = downloads
            self.presignTTLSeconds = presignTTLSeconds
            self.deleteGraceSeconds = deleteGraceSeconds
        }

        /// The keys (their names under `storage.blobs.s3`) a bucket cannot be used without, that are empty.
        public var missingKeys: [String] {
            [
                ("endpoint", endpoint), ("bucket", bucket), ("access_key_id", accessKeyID),
                ("secret_access_key", secretAccessKey),
            ]
            .filter { $0.1.isEmpty }.map(\.0)
        }
    }

    /// Limits on every file and folder.
    public struct Limits: Sendable, Equatable {
        /// The largest single file accepted, in bytes.
        public var maxFileBytes: Int64
        /// The deepest folder nesting allowed in a group.
        public var maxFolderDepth: Int

        /// Creates limits; every argument defaults to the embedded default.
        public init(maxFileBytes: Int64 = 4_294_967_296, maxFolderDepth: Int = 8) {
            self.maxFileBytes = maxFileBytes
            self.maxFolderDepth = maxFolderDepth
        }
    }

    /// Quota and retention of each kind of space (the `spaces` section, keyed by kind).
    public struct Spaces: Sendable, Equatable {
        /// A group's shared files (`limits.group_total_space`, `limits.group_file_limit` and
        /// `retention.group_file_days` still set these).
        public var group: Space
        /// A user's private files (`retention.private_file_days` still sets `fileDays`).
        public var user: Space
        /// An app's chat attachments.
        public var app: Space
        /// Uploads that belong to no one yet.
        public var staging: Space
        /// Avatars.
        public var avatar: Space

        /// Creates per-kind settings; every argument defaults to the embedded default.
        public init(
            group: Space = Space(totalSpace: 10_737_418_240, fileLimit: 10000, fileDays: 0),
            user: Space = Space(fileDays: 7),
            app: Space = Space(fileDays: 7),
            staging: Space = Space(fileDays: 1),
            avatar: Space = Space(fileDays: 0)
        ) {
            self.group = group
            self.user = user
            self.app = app
            self.staging = staging
            self.avatar = avatar
        }
        /// Each kind with its key in the `spaces` section.
        static var kinds: [(key: String, space: WritableKeyPath<Spaces, Space>)] {
            [("group", \.group), ("user", \.user), ("app", \.app), ("staging", \.staging), ("avatar", \.avatar)]
        }
    }

    /// The quota and retention of one kind of space; each space of the kind has its own.
    public struct Space: Sendable, Equatable {
        /// The total size one space's files may use, in bytes.
        public var totalSpace: Int64
        /// The most files one space may hold.
        public var fileLimit: Int
        /// Days a new file is kept before it expires; 0 keeps it until it is deleted.
        public var fileDays: Int

        /// Creates the settings of one kind; by default a space is bounded only by the largest values the keys
        /// accept (1 PiB, a billion files), and keeps its files until they are deleted.
        public init(totalSpace: Int64 = 1_125_899_906_842_624, fileLimit: Int = 1_000_000_000, fileDays: Int = 0) {
            self.totalSpace = totalSpace
            self.fileLimit = fileLimit
            self.fileDays = fileDays
        }
    }

    /// Rules for accepting uploaded files.
    public struct Upload: Sendable, Equatable {
        /// Absolute directories from which local file paths may be uploaded.
        public var localRoots: [String]
        /// How long a URL fetch may go without data (connecting, waiting, or mid-body), in milliseconds.
        public var urlFetchTimeoutMS: Int
        /// How long a whole URL fetch may take, redirects and body included, in milliseconds.
        public var urlFetchTotalTimeoutMS: Int
        /// Whether URL fetches may reach loopback and private-range addresses.
        public var allowPrivateNetworks: Bool
        /// Whether a SHA3 digest is computed for each stored file.
        public var computeSHA3: Bool

        /// Creates upload settings; every argument defaults to the embedded default.
        public init(
            localRoots: [String] = [],
            urlFetchTimeoutMS: Int = 60000,
            urlFetchTotalTimeoutMS: Int = 3_600_000,
            allowPrivateNetworks: Bool = false,
            computeSHA3: Bool = false
        ) {
            self.localRoots = localRoots
            self.urlFetchTimeoutMS = urlFetchTimeoutMS
            self.urlFetchTotalTimeoutMS = urlFetchTotalTimeoutMS
            self.allowPrivateNetworks = allowPrivateNetworks
            self.computeSHA3 = computeSHA3
        }
    }

    /// Rules for signed download URLs.
    public struct Download: Sendable, Equatable {
        /// How long a download URL stays valid, in seconds.
        public var urlTTLSeconds: Int
        /// The key that signs download URLs.
        public var signingKey: String
        /// How often downloads counted in memory are written to `download_times`, in milliseconds.
        public var countFlushIntervalMS: Int

        /// Creates download settings; every argument defaults to the embedded default.
        public init(urlTTLSeconds: Int = 3600, signingKey: String = "", countFlushIntervalMS: Int = 1000) {
            self.urlTTLSeconds = urlTTLSeconds
            self.signingKey = signingKey
            self.countFlushIntervalMS = countFlushIntervalMS
        }
    }
}

extension TrefoilConfig {
    /// Staged files (a file that belongs to no group yet, for a bot to use by id) and pending uploads (a file arriving
    /// in pieces: OneBot 12 fragments, NapCat streams, Shamrock chunks).
    public struct Staging: Sendable, Equatable {
        /// How long a staged file lives unless its upload chose otherwise, in seconds.
        public var ttlSeconds: Int
        /// The longest life an upload may choose for its staged file, in seconds (NapCat's `file_retention` of 0).
        public var maxTTLSeconds: Int
        /// Pending uploads one connection may hold at once.
        public var maxPendingPerConnection: Int
        /// Pending uploads the gateway holds at once.
        public var maxPending: Int
        /// Bytes all pending uploads together may take in `tmp/`.
        public var maxPendingBytes: Int64
        /// How long a pending upload may go without a piece before it is given up, in seconds.
        public var pendingIdleSeconds: Int

        /// Creates staging settings; every argument defaults to the embedded default.
        public init(
            ttlSeconds: Int = 3600,
            maxTTLSeconds: Int = 86400,
            maxPendingPerConnection: Int = 16,
            maxPending: Int = 256,
            maxPendingBytes: Int64 = 17_179_869_184,
            pendingIdleSeconds: Int = 600
        ) {
            self.ttlSeconds = ttlSeconds
            self.maxTTLSeconds = maxTTLSeconds
            self.maxPendingPerConnection = maxPendingPerConnection
            self.maxPending = maxPending
            self.maxPendingBytes = maxPendingBytes
            self.pendingIdleSeconds = pendingIdleSeconds
        }
    }
}

extension TrefoilConfig {
    /// The settings of `type`'s section: as loaded, or its defaults when the section was not loaded.
    public subscript<Settings: ConfigSectionSettings>(_ type: Settings.Type) -> Settings {
        get { sections[type] }
        set { sections[type] = newValue }
    }

    /// Stores `type`'s defaults, so that the section is listed (in the summary) even when nothing set it.
    mutating func storeDefaults<Settings: ConfigSectionSettings>(of type: Settings.Type) {
        self[type] = Settings()
    }
}

extension TrefoilConfig {
    /// The Prometheus endpoint (docs/metrics.md).
    public struct Metrics: Sendable, Equatable {
        /// Whether `/metrics` is served on the main listener, behind the access token like the OneBot HTTP API.
        public var enable: Bool
        /// A second listener, on 127.0.0.1 only, that serves `/metrics` without a token; 0 opens none.
        public var listenPort: Int

        /// Creates metrics settings; every argument defaults to the embedded default.
        public init(enable: Bool = true, listenPort: Int = 0) {
            self.enable = enable
            self.listenPort = listenPort
        }
    }
}
