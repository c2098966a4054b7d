import NIOCore
import NIOHTTP1

/// The last handler of a fetch connection: writes the request, hands over the response head, and streams the body
/// into a `FetchBody` while reading from the socket only as fast as the consumer takes buffers.
final class FetchResponseHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private enum State {
        case connecting
        case awaitingHead
        case streaming
        case done
    }

    /// Completed with the final (non-informational) response head, or failed.
    let headPromise: EventLoopPromise<HTTPResponseHead>

    private let requestHead: HTTPRequestHead
    private let requestBody: ByteBuffer?
    private let timeout: TimeAmount
    private let deadline: FetchDeadline?
    private let maxBytes: Int64

    private var state = State.connecting
    private var context: ChannelHandlerContext?
    private var source: FetchBody.Producer.Source?
    private var received: Int64 = 0
    private var consumerWantsData = true
    private var readHeldBack = false
    private var timer: Scheduled<Void>?
    private var deadlineTimer: Scheduled<Void>?

    init(
        requestHead: HTTPRequestHead, requestBody: ByteBuffer?, timeout: TimeAmount, deadline: FetchDeadline?,
        maxBytes: Int64, eventLoop: any EventLoop
    ) {
        self.requestHead = requestHead
        self.requestBody = requestBody
        self.timeout = timeout
        self.deadline = deadline
        self.maxBytes = maxBytes
        self.headPromise = eventLoop.makePromise()
    }

    /// Creates the body sequence fed by this handler; call once, on the event loop, after adding the handler.
    func makeBody(eventLoop: any EventLoop) -> FetchBody {
        // Counted in buffers of at most one socket read each, so buffered memory stays at a few hundred KiB.
        let strategy = NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(
            lowWatermark: 2, highWatermark: 8)
        let new = FetchBody.Producer.makeSequence(
            elementType: FetchBodyEvent.self,
            backPressureStrategy: strategy,
            finishOnDeinit: false,
            delegate: FetchBodyDelegate(handler: NIOLoopBound(self, eventLoop: eventLoop))
        )
        self.source = new.source
        return FetchBody(producer: new.sequence)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if let deadline = self.deadline {
            // Unlike the inactivity timer, this one never restarts: it ends a body that trickles in forever.
            self.deadlineTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline.end) {
                self.fail(deadline.error)
            }
        }
        if context.channel.isActive { self.start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.fail(.failed("the connection was torn down"))
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch self.state {
        case .connecting, .awaitingHead:
            self.fail(.failed("the connection closed before a response arrived"))
        case .streaming:
            self.fail(.failed("the connection closed before the response body was complete"))
        case .done:
            break
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.fail(FetchError(describing: error))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            guard self.state == .awaitingHead else { return }
            self.state = .streaming
            self.headPromise.succeed(head)
            self.restartTimer()
        case .body(let buffer):
            guard self.state == .streaming else { return }
            self.received += Int64(buffer.readableBytes)
            guard self.received <= self.maxBytes else {
                self.fail(.tooLarge(self.maxBytes))
                return
            }
            switch self.source?.yield(.bytes(buffer)) {
            case .produceMore:
                // The buffer may have drained since an earlier stop without the delegate being told.
                self.resumeReading(context: context)
            case .stopProducing:
                // A slow consumer is not a stalled server: stop the clock until it asks for more.
                self.consumerWantsData = false
                self.cancelTimer()
            case .dropped, nil:
                self.fail(.failed("the response body was abandoned"))
            }
        case .end:
            guard self.state == .streaming else { return }
            self.state = .done
            self.cancelTimers()
            _ = self.source?.yield(.end)
            self.source?.finish()
            self.source = nil
            context.close(promise: nil)
        }
    }

    func read(context: ChannelHandlerContext) {
        if self.consumerWantsData || self.state != .streaming {
            context.read()
        } else {
            self.readHeldBack = true
        }
    }

    /// The consumer drained the buffer below the low watermark.
    func consumerWantsMore() {
        guard let context = self.context else { return }
        self.resumeReading(context: context)
    }

    private func resumeReading(context: ChannelHandlerContext) {
        guard self.state == .streaming else { return }
        self.consumerWantsData = true
        self.restartTimer()
        if self.readHeldBack {
            self.readHeldBack = false
            context.read()
        }
    }

    /// The consumer dropped the body or its task was cancelled.
    func consumerTerminated() {
        self.fail(.failed("the response body was abandoned"))
    }

    private func start(context: ChannelHandlerContext) {
        guard self.state == .connecting else { return }
        self.state = .awaitingHead
        self.restartTimer()
        context.write(self.wrapOutboundOut(.head(self.requestHead)), promise: nil)
        if let body = self.requestBody, body.readableBytes > 0 {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenFailure { error in
            // Once a response is streaming, a late write error (server closed early) must not cut it short.
            if self.state == .awaitingHead { self.fail(FetchError(describing: error)) }
        }
    }

    private func restartTimer() {
        guard let context = self.context, self.state == .awaitingHead || self.state == .streaming else { return }
        self.timer?.cancel()
        let timeout = self.timeout
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.fail(.timedOut(after: timeout))
        }
    }

    private func cancelTimer() {
        self.timer?.cancel()
        self.timer = nil
    }

    private func cancelTimers() {
        self.cancelTimer()
        self.deadlineTimer?.cancel()
        self.deadlineTimer = nil
    }

    /// Ends the exchange once: fails whoever waits (head or body) and closes the connection.
    private func fail(_ error: FetchError) {
        guard self.state != .done else { return }
        self.state = .done
        self.cancelTimers()
        self.headPromise.fail(error)
        self.source?.finish(error)
        self.source = nil
        self.context?.close(promise: nil)
    }
}
