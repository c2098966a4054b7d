import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 + WebSocket channel with two handlers of ours on the NIO HTTP/1 pipeline:
/// the sendfile download handler, then the WebSocket auth guard in front of the upgrade (when a token is set).
struct GatewayChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let inner: HTTP1WebSocketUpgradeChannel
    let upgrades: WebSocketUpgradePolicy
    let downloads: DownloadPlanner
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let (upgrades, downloads, downloadLogger) = (self.upgrades, self.downloads, self.logger)
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            if upgrades.token != nil {
                try pipeline.addHandler(WebSocketAuthGuard(policy: upgrades), position: .after(decoder.handler))
            }
            // Downloads are answered before the guard and the upgrader; DownloadHandler keeps pipelined
            // answers in order and leaves when a request asks for an upgrade.
            try pipeline.addHandler(
                DownloadHandler(planner: downloads, logger: downloadLogger), position: .after(decoder.handler))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
