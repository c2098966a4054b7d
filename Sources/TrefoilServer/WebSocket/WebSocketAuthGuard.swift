import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1

/// Answers a WebSocket handshake whose credentials fail (OneBot's access token) like any HTTP request of the face
/// that owns its path (401 or 403 in the face's format), instead of hummingbird-websocket's bare 400.
///
/// It sits between the HTTP decoder and the upgrader and judges the first request head only: only the first
/// request of a connection can upgrade, so the guard leaves the pipeline after it. A head that carries an
/// `Upgrade` header and that the owning face refuses (`WebSocketUpgradeDecision.refused`) loses that header,
/// whatever its value, and goes on as a plain request, which the face's authentication refuses with the right status
/// and body. The guard never reads the value of `Upgrade`, so it cannot disagree with the upgrader about what asks
/// for an upgrade; the check that counts is the upgrader's own (`MountedFaces.webSocketUpgrade`).
final class WebSocketAuthGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let faces: MountedFaces

    init(faces: MountedFaces) { self.faces = faces }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        // The face judges the request as `HTTPFields` carries it, with several Authorization fields read as one, as
        // the upgrader and the face's HTTP authentication read them, so that all three judge the same credentials.
        if head.headers.contains(name: "upgrade"),
            case .refused = faces.webSocketUpgrade(HTTPRequest(head), peer: context.channel.remoteAddress)
        {
            head.headers.remove(name: "upgrade")
            // The HTTP decoder reads nothing after a request that asked for an upgrade: end the connection.
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.fireChannelRead(wrapInboundOut(.head(head)))
        } else {
            context.fireChannelRead(data)
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
