import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 + WebSocket channel with four handlers of ours on the NIO HTTP/1 pipeline: the download fast
/// path first of all, then behind the HTTP decoder, in this order, the idle-connection handler, the sendfile download
/// handler (the faces' download routes) and the WebSocket auth guard in front of the upgrade.
struct GatewayChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let inner: HTTP1WebSocketUpgradeChannel
    let faces: MountedFaces
    let downloads: DownloadPlanner
    let fastPath: FastPathTally
    let idleTimeout: TimeAmount
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let (faces, downloads, fastPath) = (self.faces, self.downloads, self.fastPath)
        let (idleTimeout, ownLogger) = (self.idleTimeout, self.logger)
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(WebSocketAuthGuard(faces: faces), position: .after(decoder.handler))
            // Downloads are answered before the guard and the upgrader; DownloadHandler keeps pipelined
            // answers in order and leaves when a request asks for an upgrade.
            let downloadHandler = DownloadHandler(planner: downloads, logger: ownLogger)
            try pipeline.addHandler(downloadHandler, position: .after(decoder.handler))
            // First of all, in front of the decoder and of the response encoder: the plainest downloads never reach
            // the one, and their answers, already encoded, never pass the other.
            try pipeline.addHandler(
                DownloadFastPath(planner: downloads, downloads: downloadHandler, tally: fastPath), position: .first)
            // First behind the decoder, so that it sees every request and every response, downloads included.
            try pipeline.addHandler(
                IdleConnectionHandler(timeout: idleTimeout, logger: ownLogger), position: .after(decoder.handler))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        // Cancellation comes when a graceful shutdown outlasts `server.shutdown_timeout_ms`. Hummingbird then only
        // half-closes HTTP connections it is serving, and waits on a connection that has not finished its first
        // request head (or only downloads) until it closes: close it, whatever it is doing.
        let channel = value.channel
        await withTaskCancellationHandler {
            await inner.handle(value: value, logger: logger)
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}
