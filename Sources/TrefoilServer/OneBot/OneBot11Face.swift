import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OneBotV11
import ServiceLifecycle
import TrefoilConfiguration
import TrefoilCore
import TrefoilFaceKit

/// The OneBot 11 face over every transport the gateway has (docs/onebot11.md): the HTTP API at the root
/// (`/:action`, `POST /`), forward WebSocket (`/`, `/api`, `/event`), reverse WebSocket connections, HTTP POST event
/// delivery, heartbeats, and signed download links (`/files/…`). One action table serves them all.
public struct OneBot11Face: Face {
    public typealias Settings = OneBot11Settings

    let settings: OneBot11Settings
    let socket: OneBotSocket
    let upgrades: WebSocketUpgradePolicy
    let api: APIRoutes
    let signedLinks: SignedLinkRoute
    public let services: [any Service]

    public init(settings: OneBot11Settings, context: FaceContext) {
        var config = context.config
        config.onebot11 = settings
        let logger = context.logger
        let stats = TransportStats()
        let frames = Broadcast<EventFrame>()
        let actions = ActionContext(
            tree: context.store, signer: context.signer, config: config, fetcher: URLFetcher(config: config),
            pending: context.pending,
            transportStats: {
                var snapshot = stats.snapshot()
                snapshot["packet_lost"] = Int64(frames.dropped)
                return snapshot
            }, metrics: context.metrics)
        let table = ActionTable(context: actions, logger: logger)
        let token = AccessToken(settings.accessToken)
        let socket = OneBotSocket(
            table: table, events: frames, stats: stats, board: context.board, metrics: context.metrics,
            maxMessageBytes: config.server.wsMaxMessageBytes, logger: logger)
        self.settings = settings
        self.socket = socket
        upgrades = WebSocketUpgradePolicy(
            token: settings.accessToken.isEmpty ? nil : token, refusals: RefusedUpgradeLog(logger: logger))
        api = APIRoutes(
            table: table, uploads: UploadReceiver(table: table, uploads: context.uploads),
            paramsLimit: BodyLimit(bytes: config.server.maxRequestBytes, key: "server.max_request_bytes"),
            callLimit: BodyLimit(bytes: config.server.wsMaxMessageBytes, key: "server.ws_max_message_bytes"),
            stats: stats, auth: AuthMiddleware(token: token))
        signedLinks = SignedLinkRoute(tree: context.store, signer: context.signer)

        var services: [any Service] = [table.background, EventFanout(context: actions, frames: frames)]
        for entry in settings.reverseWS {
            services.append(
                ReverseWebSocketClient(
                    entry: entry, config: config, socket: socket, board: context.board, logger: logger))
        }
        for target in settings.httpPost {
            services.append(
                WebhookDelivery(target: target, config: config, frames: frames, board: context.board, logger: logger))
        }
        if settings.heartbeat.enable {
            services.append(
                HeartbeatService(
                    context: actions, frames: frames, interval: .milliseconds(settings.heartbeat.intervalMS),
                    intervalMS: settings.heartbeat.intervalMS))
        }
        self.services = services
    }

    /// At the root, where OneBot clients call actions (`/get_status`) and open WebSockets (`/`).
    public var prefix: String { "" }

    public func routes() -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        api.register(on: routes)
        return routes
    }

    public var downloadRoutes: [any DownloadRoute] { [signedLinks] }

    /// The token is checked on every handshake under the root, as on every HTTP request: a wrong one is refused
    /// (401/403 from the HTTP API's middleware), even on a path that has no WebSocket.
    public func webSocketUpgrade(_ request: HTTPRequest, peer: SocketAddress?) -> WebSocketUpgradeDecision {
        switch upgrades.verdict(for: request, peer: peer) {
        case .refused: return .refused
        case .notAWebSocketPath: return .notHere
        case .role(let role):
            let socket = self.socket
            let address = peer.map(Self.describe) ?? "unknown"
            return .upgrade { inbound, outbound in
                try await socket.serve(
                    role, direction: .forward, address: address, inbound: inbound, outbound: outbound)
            }
        }
    }

    /// `ip:port`, or `[ip]:port` for IPv6; the socket's own text for anything else.
    static func describe(_ peer: SocketAddress) -> String {
        guard let ip = peer.ipAddress, let port = peer.port else { return "\(peer)" }
        if case .v6 = peer { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }

    public var openAccess: String? {
        guard settings.accessToken.isEmpty else { return nil }
        return "no access_token is set: anyone who can reach the port could manage every group's files;"
            + " set access_token to listen on other addresses"
    }

    public var logMetadata: Logger.Metadata {
        [
            "access_token": "\(settings.accessToken.isEmpty ? "not set" : "set")",
            "ws_paths": "/ (api+events), /api, /event",
        ]
    }
}
