import TrefoilConfiguration

extension QiniuSettings {
    /// `"qiniu_im": {"enable": true, "app_id": …, "jwt_secret": …, "admin_tokens": […], …}`.
    public static var section: ConfigSection<QiniuSettings> {
        ConfigSection(
            name: "qiniu_im",
            fields: [
                .string("app_id", \.appID, .nonBlank(allowed: "the app_id clients send")),
                .string("jwt_secret", \.jwtSecret, secret: true),
                .stringList("admin_tokens", \.adminTokens, item: .nonBlank(allowed: "an admin token")),
                .integer("ticket_ttl_seconds", \.ticketTTLSeconds, .between(1, 7 * 86_400)),
                .choice("upload_method", \.uploadMethod, what: "upload method"),
                .integer("file_max_bytes", \.fileMaxBytes, .between(1, ConfigBound.tebibyte)),
                .integer("voice_max_bytes", \.voiceMaxBytes, .between(1, ConfigBound.tebibyte)),
                .integer("image_max_bytes", \.imageMaxBytes, .between(1, ConfigBound.tebibyte)),
                .integer("video_max_bytes", \.videoMaxBytes, .between(1, ConfigBound.tebibyte)),
                .integer("avatar_max_bytes", \.avatarMaxBytes, .between(1, ConfigBound.tebibyte)),
                .integer("thumbnail_width", \.thumbnailWidth, .between(1, 10_000)),
                .integer("thumbnail_height", \.thumbnailHeight, .between(1, 10_000)),
                .integer("thumbnail_max_pixels", \.thumbnailMaxPixels, .between(1, 1 << 40)),
                .integer("store_token_ttl_seconds", \.storeTokenTTLSeconds, .between(1, ConfigBound.tenYearsSeconds)),
                .string("ffmpeg_path", \.ffmpegPath),
                .integer("ffmpeg_timeout_ms", \.ffmpegTimeoutMS, .between(100, ConfigBound.hourMS)),
            ],
            summary: { settings in
                [
                    ("app_id", ConfigWording.quoted(settings.appID)),
                    ("jwt_secret", ConfigRedaction.presence(settings.jwtSecret)),
                    ("admin_tokens", "\(settings.adminTokens.count) set"),
                    ("ticket_ttl_seconds", "\(settings.ticketTTLSeconds)"),
                    ("upload_method", settings.uploadMethod.rawValue),
                    ("file_max_bytes", "\(settings.fileMaxBytes)"),
                    ("voice_max_bytes", "\(settings.voiceMaxBytes)"),
                    ("image_max_bytes", "\(settings.imageMaxBytes)"),
                    ("video_max_bytes", "\(settings.videoMaxBytes)"),
                    ("avatar_max_bytes", "\(settings.avatarMaxBytes)"),
                    ("thumbnail_width", "\(settings.thumbnailWidth)"),
                    ("thumbnail_height", "\(settings.thumbnailHeight)"),
                    ("thumbnail_max_pixels", "\(settings.thumbnailMaxPixels)"),
                    ("store_token_ttl_seconds", "\(settings.storeTokenTTLSeconds)"),
                    ("ffmpeg_path", ConfigWording.quoted(settings.ffmpegPath)),
                    ("ffmpeg_timeout_ms", "\(settings.ffmpegTimeoutMS)"),
                ]
            },
            check: { settings in
                var problems: [(key: String, problem: String)] = []
                if settings.appID.isEmpty { problems.append(("app_id", "must be set when qiniu_im.enable is true")) }
                if settings.jwtSecret.utf8.count < 32 {
                    problems.append(
                        (
                            "jwt_secret",
                            "must be at least 32 bytes when qiniu_im.enable is true (it signs every user token)"
                        ))
                }
                return problems
            })
    }
}
