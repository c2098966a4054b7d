import HummingbirdWebSocket

/// Serves one upgraded WebSocket connection until either side ends it; a thrown error closes it with that
/// error's code (a message over the size limit: 1009).
public typealias FaceWebSocketHandler =
    @Sendable (_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws -> Void

/// A face's answer to a WebSocket handshake under its prefix.
public enum WebSocketUpgradeDecision: Sendable {
    /// Not a WebSocket endpoint of the face: the request is not upgraded, and hummingbird-websocket answers 400.
    case notHere
    /// An endpoint of the face, with credentials that fail: the request loses its `Upgrade` header and goes on,
    /// with `Connection: close`, to the face's HTTP routes, whose authentication answers it in the face's format.
    case refused
    /// Upgrade, and serve the connection with this handler.
    case upgrade(FaceWebSocketHandler)
}
