import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TrefoilConfiguration

/// One wire API served over the gateway's listener, on the shared store: OneBot 11 today, Easemob and Qiniu IM next.
///
/// The executable lists every face it can wire; the config loader reads each one's section (`Settings`), and the
/// gateway builds the faces whose section is enabled, once, when it opens the store. Everything a face contributes is
/// optional but its HTTP routes: a face mounts them under its `prefixes`, guards them with its own authentication
/// middleware, answers in its own error format, and may add download URLs of its own shape (served by the shared
/// sendfile pipeline), WebSocket endpoints and long-running services.
///
/// A face never imports another face, and never touches SQLite or the blob folder: it reaches the store through
/// `FaceContext`.
public protocol Face: Sendable {
    /// The face's config section.
    associatedtype Settings: ConfigSectionSettings

    /// Builds the face. Called once per gateway, only when `settings.enable` is true.
    init(settings: Settings, context: FaceContext)

    /// The path every route of the face lives under, such as `/testface`, without a trailing slash; `""` for the
    /// root. WebSocket handshakes are asked of the face that owns the longest prefix of their path.
    var prefix: String { get }

    /// Every path the face's routes live under, each mounted with the same routes: `[prefix]` unless the face answers
    /// at several (the same app's routes under `/<org>/<app>` and `/app-id/<id>`). Of all the faces' prefixes that
    /// match a path, the longest owns it.
    var prefixes: [String] { get }

    /// The face's HTTP routes, relative to each of `prefixes`, with its authentication middleware on them.
    ///
    /// Routes share the gateway's `BasicRequestContext`; a face that wants a context of its own (one its auth
    /// middleware fills) builds it in a child group (`collection.group(context: MyContext.self)`).
    func routes() -> RouteCollection<BasicRequestContext>

    /// Download URLs of the face's own shape, answered on the HTTP/1 pipeline before any route; asked in order.
    var downloadRoutes: [any DownloadRoute] { get }

    /// What to do with a WebSocket handshake whose path lies under one of `prefixes`.
    func webSocketUpgrade(_ request: HTTPRequest, peer: SocketAddress?) -> WebSocketUpgradeDecision

    /// Work that lives as long as the listener (event delivery, outbound connections); started in order and shut
    /// down in reverse after the listener stops.
    var services: [any Service] { get }

    /// Why anyone who can reach the port could use this face (its credential is not configured), or nil when every
    /// route asks for one. The gateway then listens on loopback only, unless `server.host` is a loopback address.
    var openAccess: String? { get }

    /// What the start-up log says about the face, such as its paths; never a secret.
    var logMetadata: Logger.Metadata { get }
}

extension Face {
    /// The face's name: its config section's.
    public static var name: String { Settings.section.name }

    /// The face's settings type, for `ConfigLoader.load(…, sections:)`.
    public static var settingsType: any ConfigSectionSettings.Type { Settings.self }

    /// The face built from `config`, or nil when its section does not enable it.
    public static func make(config: TrefoilConfig, context: FaceContext) -> (any Face)? {
        let settings = config[Settings.self]
        return settings.enable ? Self(settings: settings, context: context) : nil
    }

    public var prefixes: [String] { [prefix] }

    public var downloadRoutes: [any DownloadRoute] { [] }

    public func webSocketUpgrade(_ request: HTTPRequest, peer: SocketAddress?) -> WebSocketUpgradeDecision {
        .notHere
    }

    public var services: [any Service] { [] }

    public var openAccess: String? { nil }

    public var logMetadata: Logger.Metadata { [:] }
}
