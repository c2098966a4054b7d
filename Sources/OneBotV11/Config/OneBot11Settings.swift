import TrefoilConfiguration

/// The OneBot 11 face's settings: its config section, whose keys sit at the top level of the document
/// (`self_id`, `access_token`, `reverse_ws`…), where config files had them before faces had sections.
public struct OneBot11Settings: ConfigSectionSettings {
    /// Whether the face is wired (`onebot11.enable`); on by default.
    public var enable: Bool
    /// The bot's own user ID, reported in every OneBot event.
    public var selfID: Int64
    /// The bot's display name.
    public var nickname: String
    /// The token clients must present; empty means no authentication.
    public var accessToken: String
    /// Periodic heartbeat events.
    public var heartbeat: Heartbeat
    /// Outgoing (reverse) WebSocket connections to OneBot clients.
    public var reverseWS: [ReverseWebSocket]
    /// Outgoing HTTP POST event deliveries.
    public var httpPost: [HTTPPost]

    /// The embedded defaults.
    public init() { self.init(enable: true) }

    /// Creates settings; every argument defaults to the embedded default.
    public init(
        enable: Bool = true,
        selfID: Int64 = 10000,
        nickname: String = "Trefoil",
        accessToken: String = "",
        heartbeat: Heartbeat = Heartbeat(),
        reverseWS: [ReverseWebSocket] = [],
        httpPost: [HTTPPost] = []
    ) {
        self.enable = enable
        self.selfID = selfID
        self.nickname = nickname
        self.accessToken = accessToken
        self.heartbeat = heartbeat
        self.reverseWS = reverseWS
        self.httpPost = httpPost
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
}

extension TrefoilConfig {
    /// The OneBot 11 face's settings.
    public var onebot11: OneBot11Settings {
        get { self[OneBot11Settings.self] }
        set { self[OneBot11Settings.self] = newValue }
    }
}

extension OneBot11Settings.ReverseWebSocket {
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
