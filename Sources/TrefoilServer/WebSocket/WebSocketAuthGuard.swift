import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import OneBotV11

/// Answers a WebSocket handshake that lacks the access token with 401 (none) or 403 (wrong), before
/// any upgrade happens (PROTOCOL.md §1.1).
///
/// hummingbird-websocket answers every refused upgrade with 400, so this handler sits between the
/// HTTP decoder and the upgrade handler and judges the first request head itself. Only the first
/// request of a connection can upgrade, so the guard leaves the pipeline after that head.
final class WebSocketAuthGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let token: AccessToken
    private var refusing = false

    init(token: AccessToken) { self.token = token }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refusing { return }  // the refused request's body, if any, goes nowhere
        guard case .head(let head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let upgrade = head.headers["upgrade"].contains { $0.lowercased() == "websocket" }
        let query = head.uri.firstIndex(of: "?").map { String(head.uri[head.uri.index(after: $0)...]) }
        let verdict =
            upgrade ? token.check(authorization: head.headers.first(name: "authorization"), query: query) : .allowed
        switch verdict {
        case .allowed:
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        case .missing:
            refuse(context, version: head.version, status: .unauthorized, error: .unauthorized)
        case .wrong:
            refuse(context, version: head.version, status: .forbidden, error: .forbidden)
        }
    }

    private func refuse(
        _ context: ChannelHandlerContext, version: HTTPVersion, status: HTTPResponseStatus, error: OneBotError
    ) {
        refusing = true
        let body = ByteBuffer(bytes: ActionResponse.failed(error, echo: nil).encoded())
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json; charset=utf-8")
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "connection", value: "close")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// Hummingbird's HTTP/1 + WebSocket channel with the auth guard in front of the upgrade.
struct GuardedWebSocketChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let inner: HTTP1WebSocketUpgradeChannel
    let token: AccessToken?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let token = self.token
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            if let token {
                let decoder = try channel.pipeline.syncOperations.context(
                    handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
                try channel.pipeline.syncOperations.addHandler(
                    WebSocketAuthGuard(token: token), position: .after(decoder.handler))
            }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
