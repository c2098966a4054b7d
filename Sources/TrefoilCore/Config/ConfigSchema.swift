/// Every key of the config file, in the order the documentation lists them, with its checks.
///
/// The schema is the single place that ties JSON names to Swift properties: the file walk, the environment variable
/// names and the "did you mean" suggestions all come from it.
enum ConfigSchema {
    static var fields: [ConfigField<TrefoilConfig>] {
        [
            .integer("self_id", \.selfID, .atLeast(1)),
            .string("nickname", \.nickname),
            .string("access_token", \.accessToken, secret: true),
            .section(
                "server",
                [
                    .string("host", \.server.host, .nonBlank(allowed: "a host name or IP address")),
                    .integer("port", \.server.port, .between(1, 65535)),
                    .string("public_url", \.server.publicURL, .httpURL),
                    .integer("max_body_bytes", \.server.maxBodyBytes, .atLeast(1)),
                    .integer("ws_max_message_bytes", \.server.wsMaxMessageBytes, .atLeast(1)),
                    .integer("max_background_actions", \.server.maxBackgroundActions, .between(1, 100_000)),
                    .integer("max_background_bytes", \.server.maxBackgroundBytes, .atLeast(65_536)),
                ]),
            .section(
                "heartbeat",
                [
                    .boolean("enable", \.heartbeat.enable),
                    .integer("interval_ms", \.heartbeat.intervalMS, .atLeast(1)),
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
                    .integer("max_file_bytes", \.limits.maxFileBytes, .atLeast(1)),
                    .integer("group_total_space", \.limits.groupTotalSpace, .atLeast(1)),
                    .integer("group_file_limit", \.limits.groupFileLimit, .atLeast(1)),
                    .integer("max_folder_depth", \.limits.maxFolderDepth, .between(1, 64)),
                ]),
            .section(
                "retention",
                [
                    .integer("group_file_days", \.retention.groupFileDays, .atLeast(0)),
                    .integer("private_file_days", \.retention.privateFileDays, .atLeast(0)),
                ]),
            .section(
                "upload",
                [
                    .stringList("local_roots", \.upload.localRoots, item: .absolutePath),
                    .integer("url_fetch_timeout_ms", \.upload.urlFetchTimeoutMS, .atLeast(1)),
                    // A week: longer is no limit at all, and the clock arithmetic stays far from overflow.
                    .integer("url_fetch_total_timeout_ms", \.upload.urlFetchTotalTimeoutMS, .between(1, 604_800_000)),
                    .boolean("allow_private_networks", \.upload.allowPrivateNetworks),
                    .boolean("compute_sha3", \.upload.computeSHA3),
                ]),
            .section(
                "download",
                [
                    .integer("url_ttl_seconds", \.download.urlTTLSeconds, .atLeast(1)),
                    .string("signing_key", \.download.signingKey, secret: true),
                    .integer("count_flush_interval_ms", \.download.countFlushIntervalMS, .between(10, 600_000)),
                ]),
        ]
    }

    static var reverseWebSocketFields: [ConfigField<TrefoilConfig.ReverseWebSocket>] {
        [
            .string("url", \.url, .webSocketURLOrEmpty),
            .string("api_url", \.apiURL, .webSocketURLOrEmpty),
            .string("event_url", \.eventURL, .webSocketURLOrEmpty),
            .choice("role", \.role, what: "role"),
            .integer("reconnect_interval_ms", \.reconnectIntervalMS, .atLeast(1)),
        ]
    }

    static var httpPostFields: [ConfigField<TrefoilConfig.HTTPPost>] {
        [
            .string("url", \.url, .httpURL),
            .string("secret", \.secret, secret: true),
            .integer("timeout_ms", \.timeoutMS, .atLeast(1)),
            .integer("retry_window_ms", \.retryWindowMS, .atLeast(1)),
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
