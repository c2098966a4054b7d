import TrefoilConfiguration

/// The Qiniu IM (MaxIM / Lanying IM) face's settings: the `qiniu_im` section of the config file. Off by default.
public struct QiniuSettings: ConfigSectionSettings {
    /// Whether the face is wired (`qiniu_im.enable`).
    public var enable: Bool
    /// The app every call names in its `app_id` header; calls naming another are refused.
    public var appID: String
    /// The HS256 secret shared with the app's own server, which signs its users' tokens (JWT).
    public var jwtSecret: String
    /// Tokens that act as the app's admin: with one, the `user_id` or `group_id` header picks who to act as.
    public var adminTokens: [String]
    /// How long an upload ticket stays usable, in seconds.
    public var ticketTTLSeconds: Int64
    /// `POST` (a multipart form, as Aliyun OSS PostObject takes it) or `PUT` (the raw body).
    public var uploadMethod: UploadMethod
    /// The largest file of each kind an upload ticket allows, in bytes.
    public var fileMaxBytes: Int64
    public var voiceMaxBytes: Int64
    public var imageMaxBytes: Int64
    public var videoMaxBytes: Int64
    public var avatarMaxBytes: Int64
    /// The box of a thumbnail (`image_type=2`) asked for without `w` and `h`.
    public var thumbnailWidth: Int
    public var thumbnailHeight: Int
    /// The most pixels an image may have for a thumbnail to be made of it.
    public var thumbnailMaxPixels: Int64
    /// How long a `store_token` (the file token `trefoil token` prints) stays valid, in seconds.
    public var storeTokenTTLSeconds: Int64
    /// The ffmpeg program for video covers and voice transcoding; empty: `ffmpeg` on PATH.
    public var ffmpegPath: String
    /// The longest one ffmpeg run may take, in milliseconds.
    public var ffmpegTimeoutMS: Int

    public enum UploadMethod: String, Sendable, CaseIterable {
        case post = "POST"
        case put = "PUT"
    }

    public init() {
        enable = false
        appID = ""
        jwtSecret = ""
        adminTokens = []
        ticketTTLSeconds = 600
        uploadMethod = .post
        fileMaxBytes = 104_857_600
        voiceMaxBytes = 10_485_760
        imageMaxBytes = 20_971_520
        videoMaxBytes = 209_715_200
        avatarMaxBytes = 5_242_880
        thumbnailWidth = 200
        thumbnailHeight = 200
        thumbnailMaxPixels = 100_000_000
        storeTokenTTLSeconds = 2_592_000
        ffmpegPath = ""
        ffmpegTimeoutMS = 30_000
    }
}

extension TrefoilConfig {
    /// The Qiniu IM face's section.
    public var qiniuIM: QiniuSettings {
        get { self[QiniuSettings.self] }
        set { self[QiniuSettings.self] = newValue }
    }
}
