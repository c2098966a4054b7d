import TrefoilConfiguration

/// The Easemob / Agora Chat face's settings: the `easemob` section of the config file. Off by default.
public struct EasemobSettings: ConfigSectionSettings {
    /// Whether the face is wired (`easemob.enable`).
    public var enable: Bool
    /// The org of the app key `org#app`: every route lives under `/{org_name}/{app_name}/`.
    public var orgName: String
    public var appName: String
    /// Agora Chat's App ID; when set, the same routes also live under `/app-id/{app_id}/`.
    public var appID: String
    /// What `POST …/token` must be given (`client_credentials`) for an app token.
    public var clientID: String
    public var clientSecret: String
    /// The lifetime of a token whose request gives no `ttl`, in seconds; 0: tokens never expire.
    public var tokenTTLSeconds: Int64
    /// The largest chat file (`POST …/chatfiles`), in bytes; larger ones are refused with 413.
    public var chatFileMaxBytes: Int64
    /// The largest group share file (`POST …/chatgroups/{id}/share_files`), in bytes.
    public var shareFileMaxBytes: Int64
    /// The box a thumbnail fits when the upload gave no `thumbnail-width`/`thumbnail-height`.
    public var thumbnailWidth: Int
    public var thumbnailHeight: Int
    /// The most pixels (width × height of the first frame, the one decoded) an image may have for a thumbnail to be made of it: a bound on the
    /// memory and time a decompression bomb could take.
    public var thumbnailMaxPixels: Int64
    /// The most calls per second the app may make (every route, the token call included); 0: no limit.
    public var callsPerSecond: Int

    public init() {
        enable = false
        orgName = ""
        appName = ""
        appID = ""
        clientID = ""
        clientSecret = ""
        tokenTTLSeconds = 5_184_000
        chatFileMaxBytes = 10_485_760
        shareFileMaxBytes = 10_485_760
        thumbnailWidth = 170
        thumbnailHeight = 170
        thumbnailMaxPixels = 100_000_000
        callsPerSecond = 0
    }
}

extension TrefoilConfig {
    /// The Easemob face's section.
    public var easemob: EasemobSettings {
        get { self[EasemobSettings.self] }
        set { self[EasemobSettings.self] = newValue }
    }
}
