import TrefoilConfiguration

/// The web console's settings: the `console` section of the config file. On by default, like OneBot 11: the
/// console asks for the same access token as the bot API (or its own `password`).
public struct ConsoleSettings: ConfigSectionSettings {
    /// Whether the console is served at `/console/` (`console.enable`).
    public var enable: Bool
    /// What an admin signs in with; empty: OneBot 11's `access_token`.
    public var password: String
    /// How long a sign-in lasts, in seconds from the sign-in: then the admin signs in again.
    public var sessionTTLSeconds: Int64
    /// The user id a console upload is stored under (what a bot's `group_upload` notice says as `user_id`).
    public var uploaderID: String

    public init() {
        enable = true
        password = ""
        sessionTTLSeconds = 43_200
        uploaderID = "0"
    }
}

extension ConsoleSettings {
    /// `"console": {"enable": true, "password": …, "session_ttl_seconds": 43200, "uploader_id": "0"}`.
    public static var section: ConfigSection<ConsoleSettings> {
        ConfigSection(
            name: "console",
            fields: [
                .string("password", \.password, secret: true),
                .integer("session_ttl_seconds", \.sessionTTLSeconds, .between(60, 30 * 86_400)),
                .string(
                    "uploader_id", \.uploaderID, .nonBlank(allowed: "the user id console uploads are stored under")),
            ],
            summary: { settings in
                [
                    ("password", ConfigRedaction.presence(settings.password)),
                    ("session_ttl_seconds", "\(settings.sessionTTLSeconds)"),
                    ("uploader_id", ConfigWording.quoted(settings.uploaderID)),
                ]
            })
    }
}

extension TrefoilConfig {
    /// The web console's section.
    public var console: ConsoleSettings {
        get { self[ConsoleSettings.self] }
        set { self[ConsoleSettings.self] = newValue }
    }
}
