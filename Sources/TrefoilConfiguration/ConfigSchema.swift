/// Every key of the config file, in the order the documentation lists them, with its checks.
///
/// The schema is the single place that ties JSON names to Swift properties: the file walk, the environment variable
/// names and the "did you mean" suggestions all come from it.
enum ConfigSchema {
    static var fields: [ConfigField<TrefoilConfig>] {
        [
            .integer("self_id", \.selfID, .between(1, ConfigBound.jsonSafeInteger)),
            .string("nickname", \.nickname),
            .string("access_token", \.accessToken, secret: true),
            .section(
                "server",
                [
                    .string("host", \.server.host, .nonBlank(allowed: "a host name or IP address")),
                    .integer("port", \.server.port, .between(1, 65535)),
                    .string("public_url", \.server.publicURL, .httpURL),
                    .integer("max_body_bytes", \.server.maxBodyBytes, .between(1, ConfigBound.tebibyte)),
                    .integer("ws_max_message_bytes", \.server.wsMaxMessageBytes, .between(1, ConfigBound.gibibyte)),
                    .integer("max_request_bytes", \.server.maxRequestBytes, .between(1, ConfigBound.gibibyte)),
                    .integer("idle_timeout_ms", \.server.idleTimeoutMS, .between(100, ConfigBound.hourMS)),
                    .integer("max_connections", \.server.maxConnections, .between(1, 1_000_000)),
                    .integer("shutdown_timeout_ms", \.server.shutdownTimeoutMS, .between(0, ConfigBound.hourMS)),
                    .integer("max_background_actions", \.server.maxBackgroundActions, .between(1, 100_000)),
                    .integer(
                        "max_background_bytes", \.server.maxBackgroundBytes, .between(65_536, ConfigBound.tebibyte)),
                ]),
            .section(
                "heartbeat",
                [
                    .boolean("enable", \.heartbeat.enable),
                    .integer("interval_ms", \.heartbeat.intervalMS, .between(1, ConfigBound.dayMS)),
                ]),
            .entryList(
                "reverse_ws", \.reverseWS, template: TrefoilConfig.ReverseWebSocket(), fields: reverseWebSocketFields,
                check: checkReverseWebSocket),
            .entryList(
                "http_post", \.httpPost, template: TrefoilConfig.HTTPPost(), fields: httpPostFields,
                check: checkHTTPPost),
            .section(
                "storage",
                [
                    .string("data_dir", \.storage.dataDir, .nonBlank(allowed: "a directory path"))
                ]),
            .section(
                "limits",
                [
                    .integer("max_file_bytes", \.limits.maxFileBytes, .between(1, ConfigBound.tebibyte)),
                    .integer("group_total_space", \.spaces.group.totalSpace, totalSpaceRule),
                    .integer("group_file_limit", \.spaces.group.fileLimit, fileLimitRule),
                    .integer("max_folder_depth", \.limits.maxFolderDepth, .between(1, 64)),
                ]),
            .section(
                "retention",
                [
                    .integer("group_file_days", \.spaces.group.fileDays, fileDaysRule),
                    .integer("private_file_days", \.spaces.user.fileDays, fileDaysRule),
                ]),
            .section(
                "spaces", TrefoilConfig.Spaces.kinds.map { kind, space in .section(kind, spaceFields(space)) }),
            .section(
                "upload",
                [
                    .stringList("local_roots", \.upload.localRoots, item: .absolutePath),
                    .integer("url_fetch_timeout_ms", \.upload.urlFetchTimeoutMS, .between(1, ConfigBound.dayMS)),
                    .integer(
                        "url_fetch_total_timeout_ms", \.upload.urlFetchTotalTimeoutMS, .between(1, ConfigBound.weekMS)),
                    .boolean("allow_private_networks", \.upload.allowPrivateNetworks),
                    .boolean("compute_sha3", \.upload.computeSHA3),
                ]),
            .section(
                "download",
                [
                    .integer("url_ttl_seconds", \.download.urlTTLSeconds, .between(1, ConfigBound.tenYearsSeconds)),
                    .string("signing_key", \.download.signingKey, secret: true),
                    .integer("count_flush_interval_ms", \.download.countFlushIntervalMS, .between(10, 600_000)),
                ]),
        ]
    }

    /// The keys of one kind in the `spaces` section.
    static func spaceFields(_ space: WritableKeyPath<TrefoilConfig.Spaces, TrefoilConfig.Space>)
        -> [ConfigField<TrefoilConfig>]
    {
        let spaces: WritableKeyPath<TrefoilConfig, TrefoilConfig.Spaces> = \.spaces
        let path = spaces.appending(path: space)
        let (totalSpace, fileLimit, fileDays):
            (
                WritableKeyPath<TrefoilConfig.Space, Int64>, WritableKeyPath<TrefoilConfig.Space, Int>,
                WritableKeyPath<TrefoilConfig.Space, Int>
            ) = (\.totalSpace, \.fileLimit, \.fileDays)
        return [
            .integer("total_space", path.appending(path: totalSpace), totalSpaceRule),
            .integer("file_limit", path.appending(path: fileLimit), fileLimitRule),
            .integer("file_days", path.appending(path: fileDays), fileDaysRule),
        ]
    }

    static let totalSpaceRule = ConfigIntegerRule.between(1, ConfigBound.pebibyte)
    static let fileLimitRule = ConfigIntegerRule.between(1, 1_000_000_000)
    static let fileDaysRule = ConfigIntegerRule.between(0, ConfigBound.centuryDays)

    /// Keys that a newer key replaced, each with the key that replaced it. Both keep working, but a config that
    /// sets both of a pair is refused: which of the two values was meant would be a guess.
    static let replacedKeys: [(old: String, new: String)] = [
        ("limits.group_total_space", "spaces.group.total_space"),
        ("limits.group_file_limit", "spaces.group.file_limit"),
        ("retention.group_file_days", "spaces.group.file_days"),
        ("retention.private_file_days", "spaces.user.file_days"),
    ]

    /// The problem reported on a replaced key set together with `new`, the key that replaced it.
    static func replacedKeyProblem(_ new: String) -> String {
        "set together with \(new), which replaces it (keep only \(new))"
    }

    static var reverseWebSocketFields: [ConfigField<TrefoilConfig.ReverseWebSocket>] {
        [
            .string("url", \.url, .webSocketURLOrEmpty),
            .string("api_url", \.apiURL, .webSocketURLOrEmpty),
            .string("event_url", \.eventURL, .webSocketURLOrEmpty),
            .choice("role", \.role, what: "role"),
            .integer("reconnect_interval_ms", \.reconnectIntervalMS, .between(1, ConfigBound.hourMS)),
        ]
    }

    static var httpPostFields: [ConfigField<TrefoilConfig.HTTPPost>] {
        [
            .string("url", \.url, .httpURL),
            .string("secret", \.secret, secret: true),
            .integer("timeout_ms", \.timeoutMS, .between(1, ConfigBound.hourMS)),
            .integer("retry_window_ms", \.retryWindowMS, .between(1, ConfigBound.weekMS)),
        ]
    }

    static func checkReverseWebSocket(_ entry: TrefoilConfig.ReverseWebSocket, _ outcome: ConfigObjectOutcome)
        -> String?
    {
        // A bad role or URL was already reported; "no URL" on top of it would only repeat the same problem.
        guard outcome.failed.isDisjoint(with: ["role", "url", "api_url", "event_url"]), entry.connections.isEmpty
        else { return nil }
        let keys: String
        switch entry.role {
        case .universal: keys = "\"url\" (or \"api_url\" and \"event_url\")"
        case .api: keys = "\"api_url\" or \"url\""
        case .event: keys = "\"event_url\" or \"url\""
        }
        return "no URL for role \"\(entry.role.rawValue)\" (set \(keys) to a ws:// or wss:// URL with a host)"
    }

    static func checkHTTPPost(_ entry: TrefoilConfig.HTTPPost, _ outcome: ConfigObjectOutcome) -> String? {
        outcome.present.contains("url")
            ? nil : "missing required key \"url\" (allowed: an http:// or https:// URL with a host)"
    }
}

/// The upper ends of the integer ranges. Each is far beyond any sensible setting and far below where the arithmetic
/// it feeds (deadlines in nanoseconds, expiry times in seconds since 1970, byte counts summed per group) could
/// overflow; a value that passes `check-config` must never trap at run time.
enum ConfigBound {
    /// The largest integer a JSON reader that uses doubles (JavaScript bots) reads exactly: 2^53 - 1.
    static let jsonSafeInteger: Int64 = 9_007_199_254_740_991
    /// In-memory sizes (a WebSocket message, a JSON body): 1 GiB. NIO refuses frames over 4 GiB at start-up.
    static let gibibyte: Int64 = 1 << 30
    /// Streamed sizes (an upload body, one file): 1 TiB.
    static let tebibyte: Int64 = 1 << 40
    /// A space's quota: 1 PiB.
    static let pebibyte: Int64 = 1 << 50
    static let hourMS: Int64 = 3_600_000
    static let dayMS: Int64 = 86_400_000
    static let weekMS: Int64 = 604_800_000
    /// 3650 days.
    static let tenYearsSeconds: Int64 = 315_360_000
    static let centuryDays: Int64 = 36_500
}
