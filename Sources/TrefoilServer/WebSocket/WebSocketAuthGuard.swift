import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// Keeps a WebSocket handshake that lacks the access token from being upgraded, so that it is
/// answered 401 (none) or 403 (wrong) like any HTTP request (PROTOCOL.md §1.1).
///
/// hummingbird-websocket answers every refused upgrade with 400, so this handler sits between the
/// HTTP decoder and the upgrade handler and judges the first request head itself. A refused
/// handshake loses its `Upgrade` header and goes on as a plain request, which the auth middleware
/// refuses with the right status and body. Only the first request of a connection can upgrade, so
/// the guard leaves the pipeline after that head.
final class WebSocketAuthGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let token: AccessToken

    init(token: AccessToken) { self.token = token }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let upgrade = head.headers["upgrade"].contains { $0.lowercased() == "websocket" }
        let query = head.uri.firstIndex(of: "?").map { String(head.uri[head.uri.index(after: $0)...]) }
        if upgrade, token.check(authorization: head.headers.first(name: "authorization"), query: query) != .allowed {
            head.headers.remove(name: "upgrade")
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.fireChannelRead(wrapInboundOut(.head(head)))
        } else {
            context.fireChannelRead(data)
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
