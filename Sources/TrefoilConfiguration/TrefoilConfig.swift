/// The server's settings, as loaded from the config file and `TREFOIL_` environment variables.
///
/// Every initializer argument defaults to the embedded default; `ConfigLoader` builds a validated value from the
/// config file and environment.
public struct TrefoilConfig: Sendable, Equatable {
    /// The bot's own user ID, reported in every OneBot event.
    public var selfID: Int64
    /// The bot's display name.
    public var nickname: String
    /// The token clients must present; empty means no authentication.
    public var accessToken: String
    /// Where the HTTP and WebSocket listener binds and how large requests may be.
    public var server: Server
    /// Periodic heartbeat events.
    public var heartbeat: Heartbeat
    /// Outgoing (reverse) WebSocket connections to OneBot clients.
    public var reverseWS: [ReverseWebSocket]
    /// Outgoing HTTP POST event deliveries.
    public var httpPost: [HTTPPost]
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

    /// Creates a config; every argument defaults to the embedded default.
    public init(
        selfID: Int64 = 10000,
        nickname: String = "Trefoil",
        accessToken: String = "",
        server: Server = Server(),
        heartbeat: Heartbeat = Heartbeat(),
        reverseWS: [ReverseWebSocket] = [],
        httpPost: [HTTPPost] = [],
        storage: Storage = Storage(),
        limits: Limits = Limits(),
        spaces: Spaces = Spaces(),
        upload: Upload = Upload(),
        download: Download = Download()
    ) {
        self.selfID = selfID
        self.nickname = nickname
        self.accessToken = accessToken
        self.server = server
        self.heartbeat = heartbeat
        self.reverseWS = reverseWS
        self.httpPost = httpPost
        self.storage = storage
        self.limits = limits
        self.spaces = spaces
        self.upload = upload
        self.download = download
    }

    /// The listener's address and request size limits.
    public struct Server: Sendable, Equatable {
        /// The address to bind, such as `127.0.0.1` or `0.0.0.0`.
        public var host: String
        /// The TCP port to bind.
        public var port: Int
        /// The base URL clients use to reach this server, used when building download links.
        public var publicURL: String
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

    /// Periodic heartbeat meta events.
    public struct Heartbeat: Sendable, Equatable {
        /// Whether heartbeats are sent at all.
        public var enable: Bool
        /// The time between heartbeats, in milliseconds.
        public var intervalMS: Int

        /// Creates heartbeat settings; every argument defaults to the embedded default.
        public init(enable: Bool = true, intervalMS: Int = 15000) {
            self.enable = enable
            self.intervalMS = intervalMS
        }
    }

    /// One outgoing WebSocket connection to a OneBot client.
    public struct ReverseWebSocket: Sendable, Equatable {
        /// The URL for a `Universal` connection, and the fallback for `API` and `Event` connections.
        public var url: String
        /// The URL for an `API` connection; empty means use `url`.
        public var apiURL: String
        /// The URL for an `Event` connection; empty means use `url`.
        public var eventURL: String
        /// What the connection carries.
        public var role: Role
        /// The delay before reconnecting after the connection drops, in milliseconds.
        public var reconnectIntervalMS: Int

        /// What a reverse WebSocket connection carries, as named in the OneBot `X-Client-Role` header.
        public enum Role: String, Sendable, Equatable, CaseIterable {
            /// API calls and events over one connection.
            case universal = "Universal"
            /// API calls only.
            case api = "API"
            /// Events only.
            case event = "Event"
        }

        /// Creates a reverse WebSocket entry; every argument defaults to the per-entry default.
        public init(
            url: String = "",
            apiURL: String = "",
            eventURL: String = "",
            role: Role = .universal,
            reconnectIntervalMS: Int = 3000
        ) {
            self.url = url
            self.apiURL = apiURL
            self.eventURL = eventURL
            self.role = role
            self.reconnectIntervalMS = reconnectIntervalMS
        }
    }

    /// One outgoing HTTP POST event delivery target.
    public struct HTTPPost: Sendable, Equatable {
        /// The URL events are posted to.
        public var url: String
        /// The HMAC key for the `X-Signature` header; empty means unsigned.
        public var secret: String
        /// The time limit for one delivery attempt, in milliseconds.
        public var timeoutMS: Int
        /// How long a failed delivery is retried with backoff before being dropped, in milliseconds.
        public var retryWindowMS: Int

        /// Creates an HTTP POST entry; every argument defaults to the per-entry default.
        public init(url: String = "", secret: String = "", timeoutMS: Int = 5000, retryWindowMS: Int = 60000) {
            self.url = url
            self.secret = secret
            self.timeoutMS = timeoutMS
            self.retryWindowMS = retryWindowMS
        }
    }

    /// Where persistent data lives.
    public struct Storage: Sendable, Equatable {
        /// The directory for the database and stored files.
        public var dataDir: String

        /// Creates storage settings; every argument defaults to the embedded default.
        public init(dataDir: String = "./data") {
            self.dataDir = dataDir
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

extension TrefoilConfig.ReverseWebSocket {
    /// One connection that an entry opens: its role and the URL it dials.
    public struct Connection: Sendable, Equatable {
        public let role: Role
        public let url: String

        public init(role: Role, url: String) {
            self.role = role
            self.url = url
        }
    }

    /// The connections this entry opens; empty when its role has no URL.
    ///
    /// `API` and `Event` open one connection, to their own URL or else to `url`. `Universal` (the default) opens
    /// one connection to `url`; an entry without `url` opens an `API` connection to `api_url` and an `Event`
    /// connection to `event_url`, each when set: go-cqhttp's layout, where `api_url` and `event_url` in one
    /// entry split the two kinds of traffic over two connections.
    public var connections: [Connection] {
        switch role {
        case .universal where url.isEmpty:
            return [Connection(role: .api, url: apiURL), Connection(role: .event, url: eventURL)]
                .filter { !$0.url.isEmpty }
        case .universal: return [Connection(role: .universal, url: url)]
        case .api: return [Connection(role: .api, url: apiURL.isEmpty ? url : apiURL)].filter { !$0.url.isEmpty }
        case .event:
            return [Connection(role: .event, url: eventURL.isEmpty ? url : eventURL)].filter { !$0.url.isEmpty }
        }
    }

    /// Whether this entry carries API calls.
    public var carriesAPI: Bool { connections.contains { $0.role != .event } }

    /// Whether this entry carries events.
    public var carriesEvents: Bool { connections.contains { $0.role != .api } }
}
