import Logging
import NIOCore
import NIOHTTP1

/// Closes an HTTP connection that is between requests: when no complete request head has come for `timeout` (since
/// the connection opened or since the last response went out), and at once when a graceful shutdown begins.
///
/// Hummingbird's own idle handler (`HTTP1Channel.Configuration.idleTimeout`) is only added once the WebSocket upgrade
/// handler has seen a first request head, and its quiesce handling likewise: a connection that never sends a head,
/// or one that only downloads (answered by `DownloadHandler` below the upgrade handler), was never closed, so silent
/// connections used up file descriptors and kept a SIGTERM from completing. This handler sits right behind the HTTP
/// decoder from the start.
///
/// The clock measures time to a *complete* head, so a client cannot keep a connection by trickling header bytes, nor
/// by trickling a body after it was answered. A request under way is never cut: from its head until its response's
/// last byte is handed to the kernel (a slow reader of a long download is not idle), and while an upload streams in.
/// A head that asks for a WebSocket makes the handler leave the pipeline: that connection is either upgraded (its
/// own pings then find a dead peer) or answered and closed.
final class IdleConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeout: TimeAmount
    private let logger: Logger
    /// Requests whose head was read and whose response has not been written out in full.
    private var unanswered = 0
    /// When the connection last became idle (opened, or its last answer went out); nil while a request is under way.
    private var idleSince: NIODeadline?
    /// At most one check is scheduled. A request does not cancel it and an answer does not schedule another: when it
    /// fires it closes the connection if it has been idle for `timeout`, or looks again when that would be. Cancelling
    /// and scheduling a timer for every request was 3% of a small download's time in perf (issue 18).
    private var timer: Scheduled<Void>?
    /// Set by a graceful shutdown: close as soon as no request is under way.
    private var quiescing = false

    init(timeout: TimeAmount, logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelActive(context: ChannelHandlerContext) {
        arm(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        unanswered += 1
        idleSince = nil
        context.fireChannelRead(data)
        // Only the first request can upgrade, and the decoder in front of this handler leaves with the upgrade.
        if head.headers["upgrade"].contains(where: { $0.lowercased().contains("websocket") }) {
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // A download answered in front of the decoder counts as a request like any other, from its start to its end.
        switch event as? AnsweredBeforeDecoder {
        case .started:
            unanswered += 1
            idleSince = nil
            return
        case .written:
            answered(context: context)
            return
        case nil: break
        }
        if event is ChannelShouldQuiesceEvent {
            quiescing = true
            if unanswered == 0 {
                context.close(promise: nil)
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        let written = promise ?? context.eventLoop.makePromise()
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        written.futureResult.whenComplete { _ in
            let (handler, context) = bound.value
            handler.answered(context: context)
        }
        context.write(data, promise: written)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is AnsweredPastEncoder else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        answered(context: context)
        promise?.succeed()
    }

    private func answered(context: ChannelHandlerContext) {
        // Never below zero: Hummingbird answers a request the decoder could not parse without a head passing here.
        unanswered = max(0, unanswered - 1)
        guard unanswered == 0, context.channel.isActive else { return }
        if quiescing {
            context.close(promise: nil)
        } else {
            arm(context: context)
        }
    }

    private func arm(context: ChannelHandlerContext) {
        guard unanswered == 0 else { return }
        let now = NIODeadline.now()
        idleSince = now
        if timer == nil { schedule(at: now + timeout, context: context) }
    }

    private func schedule(at deadline: NIODeadline, context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.timer = nil
            handler.check(context: context)
        }
    }

    /// The scheduled check: close an idle connection whose time is up, look again later at one idle for less, and
    /// leave a busy one to its answer (which arms the check again).
    private func check(context: ChannelHandlerContext) {
        guard let since = idleSince, context.channel.isActive else { return }
        let due = since + timeout
        guard NIODeadline.now() >= due else {
            schedule(at: due, context: context)
            return
        }
        logger.debug(
            "closing a connection with no request for the idle timeout",
            metadata: ["timeout_ms": "\(timeout.nanoseconds / 1_000_000)"])
        context.close(promise: nil)
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

/// Sent outbound by a handler behind `IdleConnectionHandler` that wrote a response's bytes straight past the HTTP
/// encoder (`DownloadHandler`'s prepared answers), once they were all written: the request is answered, as when a
/// response's `.end` goes through.
struct AnsweredPastEncoder {}
