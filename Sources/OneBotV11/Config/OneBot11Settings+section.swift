import TrefoilConfiguration

extension OneBot11Settings {
    /// The face's keys, at the top level of the document as config files have always had them; `onebot11.enable`
    /// switches the face off.
    public static var section: ConfigSection<OneBot11Settings> {
        ConfigSection(
            name: "onebot11", placement: .topLevel,
            fields: [
                .integer("self_id", \.selfID, .between(1, ConfigBound.jsonSafeInteger)),
                .string("nickname", \.nickname),
                .string("access_token", \.accessToken, secret: true),
                .section(
                    "heartbeat",
                    [
                        .boolean("enable", \.heartbeat.enable),
                        .integer("interval_ms", \.heartbeat.intervalMS, .between(1, ConfigBound.dayMS)),
                    ]),
                .entryList(
                    "reverse_ws", \.reverseWS, template: ReverseWebSocket(), fields: reverseWebSocketFields,
                    check: checkReverseWebSocket),
                .entryList("http_post", \.httpPost, template: HTTPPost(), fields: httpPostFields, check: checkHTTPPost),
            ],
            summary: summary)
    }

    static var reverseWebSocketFields: [ConfigField<ReverseWebSocket>] {
        [
            .string("url", \.url, .webSocketURLOrEmpty),
            .string("api_url", \.apiURL, .webSocketURLOrEmpty),
            .string("event_url", \.eventURL, .webSocketURLOrEmpty),
            .choice("role", \.role, what: "role"),
            .integer("reconnect_interval_ms", \.reconnectIntervalMS, .between(1, ConfigBound.hourMS)),
        ]
    }

    static var httpPostFields: [ConfigField<HTTPPost>] {
        [
            .string("url", \.url, .httpURL),
            .string("secret", \.secret, secret: true),
            .integer("timeout_ms", \.timeoutMS, .between(1, ConfigBound.hourMS)),
            .integer("retry_window_ms", \.retryWindowMS, .between(1, ConfigBound.weekMS)),
        ]
    }

    static func checkReverseWebSocket(_ entry: ReverseWebSocket, _ outcome: ConfigObjectOutcome) -> String? {
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

    static func checkHTTPPost(_ entry: HTTPPost, _ outcome: ConfigObjectOutcome) -> String? {
        outcome.present.contains("url")
            ? nil : "missing required key \"url\" (allowed: an http:// or https:// URL with a host)"
    }

    static func summary(_ settings: OneBot11Settings) -> [(key: String, value: String)] {
        let reverseWS = settings.reverseWS.map { entry in
            entry.connections.isEmpty
                ? "\(entry.role.rawValue) (no URL)"
                : entry.connections.map { "\($0.role.rawValue) \(ConfigRedaction.loggableURL($0.url))" }
                    .joined(separator: " + ")
        }
        let httpPost = settings.httpPost.map { entry in
            "\(ConfigRedaction.loggableURL(entry.url)) (secret \(ConfigRedaction.presence(entry.secret)))"
        }
        return [
            ("self_id", "\(settings.selfID)"),
            ("nickname", ConfigWording.quoted(settings.nickname)),
            ("access_token", ConfigRedaction.presence(settings.accessToken)),
            ("heartbeat.enable", "\(settings.heartbeat.enable)"),
            ("heartbeat.interval_ms", "\(settings.heartbeat.intervalMS)"),
            ("reverse_ws", "[\(reverseWS.joined(separator: ", "))]"),
            ("http_post", "[\(httpPost.joined(separator: ", "))]"),
        ]
    }
}
