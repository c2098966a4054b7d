import Logging
import NIOCore
import NIOHTTP1

/// Answers a WebSocket handshake that lacks the access token with 401 (none) or 403 (wrong), like any HTTP
/// request, instead of hummingbird-websocket's bare 400.
///
/// It sits between the HTTP decoder and the upgrader and judges the first request head only: only the first
/// request of a connection can upgrade, so the guard leaves the pipeline after it. A head that carries an
/// `Upgrade` header and fails the token check loses that header, whatever its value, and goes on as a plain
/// request, which the auth middleware refuses with the right status and body. The guard never reads the value
/// of `Upgrade`, so it cannot disagree with the upgrader about what asks for an upgrade; the check that counts
/// is the upgrader's own (`WebSocketUpgradePolicy.role(for:peer:)`).
final class WebSocketAuthGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let policy: WebSocketUpgradePolicy

    init(policy: WebSocketUpgradePolicy) { self.policy = policy }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        // Several Authorization fields read as one, joined as `HTTPFields` joins them for the upgrader and the
        // auth middleware, so that all three judge the same credentials.
        let authorization = head.headers["authorization"]
        if head.headers.contains(name: "upgrade"),
            !policy.admits(
                authorization: authorization.isEmpty ? nil : authorization.joined(separator: ", "), target: head.uri,
                peer: context.channel.remoteAddress)
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
