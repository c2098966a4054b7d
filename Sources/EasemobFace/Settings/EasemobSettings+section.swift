import TrefoilConfiguration

extension EasemobSettings {
    /// `"easemob": {"enable": true, "org_name": …, "app_name": …, "client_id": …, "client_secret": …, …}`.
    public static var section: ConfigSection<EasemobSettings> {
        ConfigSection(
            name: "easemob",
            fields: [
                .string("org_name", \.orgName, .pathSegment(allowed: "the org name of the app key, as in its paths")),
                .string("app_name", \.appName, .pathSegment(allowed: "the app name of the app key, as in its paths")),
                .string("app_id", \.appID, .pathSegmentOrEmpty(allowed: "Agora's App ID, or empty")),
                .string("client_id", \.clientID, .nonBlank(allowed: "the client_id apps ask tokens with")),
                .string("client_secret", \.clientSecret, secret: true),
                .integer("token_ttl_seconds", \.tokenTTLSeconds, .between(0, ConfigBound.tenYearsSeconds)),
                .integer("chat_file_max_bytes", \.chatFileMaxBytes, .between(1, ConfigBound.tebibyte)),
                .integer("share_file_max_bytes", \.shareFileMaxBytes, .between(1, ConfigBound.tebibyte)),
                .integer("thumbnail_width", \.thumbnailWidth, .between(1, Int64(EasemobLimits.thumbnailSide))),
                .integer("thumbnail_height", \.thumbnailHeight, .between(1, Int64(EasemobLimits.thumbnailSide))),
                .integer("thumbnail_max_pixels", \.thumbnailMaxPixels, .between(1, 1 << 40)),
                .integer("calls_per_second", \.callsPerSecond, .between(0, 1_000_000)),
            ],
            summary: { settings in
                [
                    ("org_name", ConfigWording.quoted(settings.orgName)),
                    ("app_name", ConfigWording.quoted(settings.appName)),
                    ("app_id", ConfigWording.quoted(settings.appID)),
                    ("client_id", ConfigWording.quoted(settings.clientID)),
                    ("client_secret", ConfigRedaction.presence(settings.clientSecret)),
                    ("token_ttl_seconds", "\(settings.tokenTTLSeconds)"),
                    ("chat_file_max_bytes", "\(settings.chatFileMaxBytes)"),
                    ("share_file_max_bytes", "\(settings.shareFileMaxBytes)"),
                    ("thumbnail_width", "\(settings.thumbnailWidth)"),
                    ("thumbnail_height", "\(settings.thumbnailHeight)"),
                    ("thumbnail_max_pixels", "\(settings.thumbnailMaxPixels)"),
                    ("calls_per_second", "\(settings.callsPerSecond)"),
                ]
            },
            check: { settings in
                var problems: [(key: String, problem: String)] = []
                for (key, value) in [
                    ("org_name", settings.orgName), ("app_name", settings.appName), ("client_id", settings.clientID),
                    ("client_secret", settings.clientSecret),
                ] where value.isEmpty {
                    problems.append((key, "must be set when easemob.enable is true"))
                }
                return problems
            })
    }
}

/// Limits the real service states and Trefoil keeps as they are.
enum EasemobLimits {
    /// The longest announcement, in UTF-16 code units (the service is written in Java, whose `String.length()`
    /// counts those: an emoji outside the Basic Multilingual Plane counts 2).
    static let announcementLength = 512
    /// An image of at most this many bytes is its own thumbnail.
    static let ownThumbnailBytes: Int64 = 10 * 1024
    /// The largest thumbnail side a client may ask for.
    static let thumbnailSide = 10_000
    /// The most rows a share-file page holds; larger `pagesize` values are clamped to it.
    static let pageSize = 1000
    /// The largest JSON body a call accepts (an announcement, a token request).
    static let jsonBodyBytes = 64 * 1024
}

extension ConfigStringRule {
    /// A name that is one path segment as it is: letters, digits, `-`, `_` and `.`, not `.` or `..`.
    static func pathSegment(allowed: String) -> ConfigStringRule {
        ConfigStringRule { value in
            EasemobApp.isPathSegment(value)
                ? nil
                : "\(ConfigWording.quoted(value)) is not a plain path segment"
                    + " (allowed: \(allowed): letters, digits, -, _ and .)"
        }
    }

    /// `pathSegment`, or empty.
    static func pathSegmentOrEmpty(allowed: String) -> ConfigStringRule {
        ConfigStringRule { value in value.isEmpty ? nil : pathSegment(allowed: allowed).problem(value) }
    }
}
