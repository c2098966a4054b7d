import Logging
import NIOCore
import NIOHTTP1
import TrefoilFaceKit

/// Serves downloads (`GET|HEAD` on a path that one of the enabled faces' download routes matches, such as OneBot's
/// signed `/files/…` links) on the HTTP/1 pipeline itself, so that the bytes go from the page cache to the socket
/// with `sendfile(2)` (a `FileRegion`).
///
/// Hummingbird 2's response bodies are `ByteBuffer`s only: streaming a blob through one copied every
/// byte twice (file → buffer → socket), and a 1 GiB download ran at 2.0–2.1 GB/s against nginx's
/// 3.6 GB/s with sendfile on the same machine (docs/performance.md). This handler sits between the
/// HTTP decoder and the WebSocket upgrader: a download request never goes further, every other
/// request passes on to Hummingbird untouched.
///
/// Pipelined requests are answered in the order they came (RFC 9112 §9.3.2). Hummingbird keeps that
/// order for its own requests by reading one at a time, so this handler keeps it around a download:
/// it counts the requests it passed on whose responses have not ended yet, writes a download's answer
/// only when that count is zero, and holds every later request part (and the socket's reads) until
/// the answer is written. NIO's `HTTPServerPipelineHandler` does the same for a single responder but
/// hung every request in front of Hummingbird's channel (measured in session 2; see the git log).
///
/// The plainest of these, a keep-alive `GET` whose answer is prepared in memory, is answered before the decoder
/// (`DownloadFastPath`) while this handler `isQuiet`; the rest come here.
///
/// Any other request that asks for an upgrade makes the handler leave the pipeline for good: after a
/// granted upgrade the connection carries WebSocket bytes, not HTTP parts, and a refused one is answered
/// and closed by Hummingbird (400, or 401/403 from `WebSocketAuthGuard`). A download that carries an
/// Upgrade header is answered and its connection closed: the HTTP decoder reads nothing after a request
/// that asks for an upgrade.
final class DownloadHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Something read while a download was waiting for its turn, passed on in order once it is answered.
    private enum Held {
        case part(HTTPServerRequestPart)
        case event(Any)
    }

    private let planner: DownloadPlanner
    private let logger: Logger
    /// Requests passed on to Hummingbird whose response `.end` has not been written yet.
    private var unanswered = 0
    /// The download request whose head has been read (its body, if any, is ignored).
    private var reading:
        (head: HTTPRequestHead, route: DownloadPlanner.MountedRoute, path: Substring, query: Substring)?
    /// The download read to its end and not answered yet, with the face whose route took it; `plan` is set once the
    /// planner is done.
    private var pending: (head: HTTPRequestHead, face: String, plan: DownloadPlanner.Plan?)?
    private var held = CircularBuffer<Held>()
    /// A `read` asked for while holding, issued once the held parts are passed on.
    private var readWanted = false
    /// Set by an upgrade request: pass everything on and leave the pipeline.
    private var leaving = false
    /// Whether any request has gone on to the upgrade handler and Hummingbird.
    private var passedAny = false
    /// A remote blob's bytes are being streamed out: later requests wait, as behind a pending download.
    private var streaming = false

    init(planner: DownloadPlanner, logger: Logger) {
        self.planner = planner
        self.logger = logger
    }

    private var holding: Bool { pending != nil || streaming || !held.isEmpty }

    /// Whether nothing is under way on the connection: no download read, waiting or streaming, no request passed on
    /// and unanswered, nothing held, no upgrade asked for. `DownloadFastPath` answers only then, so that its answer
    /// keeps its place after every answer before it.
    var isQuiet: Bool { !holding && reading == nil && unanswered == 0 && !leaving }

    /// Downloads answered from memory in one turn of the event loop before the others get theirs.
    static let answersPerTurn = 16

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if holding {
            held.append(.part(part))
        } else {
            handle(part, context: context)
            answerIfDue(context: context)
            leaveIfDone(context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // A half-close keeps its place after the requests read before it.
        if holding {
            held.append(.event(event))
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        held.removeAll()
        pending = nil
        reading = nil
        if !passedAny {
            // The upgrade handler behind us still waits for a first request, and would fail its result with an
            // error that Hummingbird logs at error level for a connection that only downloaded (or sent
            // nothing). Input closed is what it is: its result then fails quietly.
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        context.fireChannelInactive()
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        if leaving {
            pass(part, context: context)
            return
        }
        switch part {
        case .head(let head):
            if head.method == .GET || head.method == .HEAD, case (let path, let query) = Self.split(head.uri),
                let route = planner.route(forPath: path)
            {
                reading = (head, route, path, query)
            } else {
                if head.headers.contains(name: "upgrade") { leaving = true }
                pass(part, context: context)
            }
        case .body:
            if reading == nil { pass(part, context: context) }
        case .end:
            guard let (head, route, path, query) = reading else {
                pass(part, context: context)
                return
            }
            reading = nil
            if let plan = planner.planNow(route.route, head: head, path: path, query: query) {
                // Planned from memory (a file read a moment ago): written by whoever called `handle`, so that a long
                // pipeline of such downloads is answered in `release`'s loop rather than by recursion.
                pending = (head, route.face, plan)
            } else {
                pending = (head, route.face, nil)
                plan(head, route: route.route, path: path, query: query, context: context)
            }
        }
    }

    private func pass(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        if case .head = part {
            unanswered += 1
            passedAny = true
        }
        context.fireChannelRead(wrapInboundOut(part))
    }

    /// Passes on what was held while a download waited, until the next download is read.
    private func release(context: ChannelHandlerContext) {
        if !held.isEmpty {
            var answeredHere = 0
            while true {
                while pending == nil, let next = held.popFirst() {
                    switch next {
                    case .part(let part): handle(part, context: context)
                    case .event(let event): context.fireUserInboundEventTriggered(event)
                    }
                }
                // A download planned from memory on the way is answered here, and the loop goes on behind it.
                guard let keepAlive = writeIfDue(context: context) else { break }
                guard keepAlive else {
                    held.removeAll()
                    return
                }
                answeredHere += 1
                if answeredHere >= Self.answersPerTurn, !held.isEmpty {
                    // The event loop's other connections wait while this one is answered: a client that pipelines
                    // thousands of downloads gets them in turns, the rest of the loop's work between (2,000 in one
                    // go held a debug build's loop for seconds, and other connections' timers fired late).
                    let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                    context.eventLoop.execute {
                        let (handler, context) = bound.value
                        handler.release(context: context)
                    }
                    return
                }
            }
            // Hummingbird's async channel hands reads on at the end of a read burst.
            context.fireChannelReadComplete()
        }
        guard !holding else { return }
        if readWanted {
            readWanted = false
            context.read()
        }
        leaveIfDone(context: context)
    }

    private func leaveIfDone(context: ChannelHandlerContext) {
        if leaving, !holding { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if holding {
            readWanted = true
        } else {
            context.read()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let ended: Bool
        if case .end = unwrapOutboundIn(data) { ended = true } else { ended = false }
        context.write(data, promise: promise)
        if ended {
            // Never below zero: an answer to something that never passed as a request (Hummingbird's reply to
            // a request the decoder could not parse, say) must not leave a later download waiting forever.
            unanswered = max(0, unanswered - 1)
            answerIfDue(context: context)
        }
    }

    // MARK: Answering a download

    /// A request target's path and query (empty when there is none). Searched as bytes: a `Character` search of the
    /// target (grapheme breaking) was 3.6% of the server's CPU while 16 clients fetched small files.
    static func split(_ uri: String) -> (path: Substring, query: Substring) {
        guard let mark = uri.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (uri[...], "") }
        return (uri[..<mark], uri[uri.utf8.index(after: mark)...])
    }

    private func plan(
        _ head: HTTPRequestHead, route: any DownloadRoute, path: Substring, query: Substring,
        context: ChannelHandlerContext
    ) {
        let planner = self.planner
        let promise = context.eventLoop.makePromise(of: DownloadPlanner.Plan.self)
        promise.completeWithTask {
            await planner.plan(route, head: head, path: path, query: query)
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        promise.futureResult.whenSuccess { plan in
            let (handler, context) = bound.value
            guard handler.pending != nil else { return }  // the connection went away meanwhile
            handler.pending?.plan = plan
            handler.answerIfDue(context: context)
        }
    }

    /// Writes the pending download's answer once it is planned and every earlier response has ended, then lets the
    /// next request have its turn.
    private func answerIfDue(context: ChannelHandlerContext) {
        guard let keepAlive = writeIfDue(context: context) else { return }
        answered(keepAlive: keepAlive, context: context)
    }

    /// Writes the pending download's answer if it is due; returns whether the connection stays open after it, or nil
    /// when nothing was written (not due yet, the connection gone, or a remote blob's streaming started).
    private func writeIfDue(context: ChannelHandlerContext) -> Bool? {
        guard unanswered == 0, !streaming, let (head, face, plan) = pending, let plan else { return nil }
        pending = nil
        guard context.channel.isActive else { return nil }
        let keepAlive = head.isKeepAlive && !head.headers.contains(name: "upgrade")
        if case .remote(let sha256, let range) = plan.body, let remote = planner.remote {
            streaming = true
            stream(
                plan, sha256: sha256, range: range, from: remote, for: head, face: face, keepAlive: keepAlive,
                context: context)
            return nil
        }
        write(plan, for: head, face: face, keepAlive: keepAlive, context: context)
        return keepAlive
    }

    /// After an answer: the next request's turn, or the end of the connection.
    private func answered(keepAlive: Bool, context: ChannelHandlerContext) {
        if keepAlive {
            release(context: context)
        } else {
            held.removeAll()
        }
    }

    /// Streams a remote blob's bytes (an S3 GET with the answer's range) out as they arrive, each chunk written once
    /// the one before has gone to the socket: a slow client slows the GET instead of filling memory. Failing before
    /// the first byte answers 502 (the object is gone, or the store failed); failing after it closes the connection,
    /// the only way left to say the body is short.
    private func stream(
        _ plan: DownloadPlanner.Plan, sha256: String, range: ClosedRange<Int64>, from remote: RemoteDownloads,
        for request: HTTPRequestHead, face: String, keepAlive: Bool, context: ChannelHandlerContext
    ) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        let planner = self.planner
        let logger = self.logger
        let head = Self.head(of: plan, for: request, keepAlive: keepAlive)
        Task {
            var started = false
            var completed = false
            do {
                let response = try await remote.blobs.get(sha256, range: range)
                try await loop.submit {
                    let (handler, context) = bound.value
                    context.write(
                        handler.wrapOutboundOut(.head(head)),
                        promise: nil)
                }.get()
                started = true
                for try await buffer in response.body {
                    try await loop.flatSubmit {
                        let (handler, context) = bound.value
                        return context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(buffer))))
                    }.get()
                }
                try await loop.flatSubmit {
                    let (handler, context) = bound.value
                    return context.writeAndFlush(handler.wrapOutboundOut(.end(nil)))
                }.get()
                completed = true
            } catch {
                logger.warning(
                    "a remote blob could not be streamed", metadata: ["sha256": "\(sha256)", "error": "\(error)"])
            }
            let (headSent, bodySent) = (started, completed)
            loop.execute {
                let (handler, context) = bound.value
                handler.streaming = false
                if headSent { planner.record(plan, face: face, completed: bodySent) }
                if !headSent, context.channel.isActive {
                    let failure = DownloadPlanner.text(.badGateway, "the file could not be read from the object store")
                    handler.write(failure, for: request, face: face, keepAlive: keepAlive, context: context)
                    handler.answered(keepAlive: keepAlive, context: context)
                } else if bodySent && keepAlive {
                    handler.answered(keepAlive: true, context: context)
                } else {
                    handler.held.removeAll()
                    context.channel.close(promise: nil)
                }
            }
        }
    }

    private func write(
        _ plan: DownloadPlanner.Plan, for request: HTTPRequestHead, face: String, keepAlive: Bool,
        context: ChannelHandlerContext
    ) {
        if let wire = plan.wire, keepAlive, request.version == .http1_1, let encoder = encoderContext(context) {
            writePastEncoder(plan, wire: wire, face: face, encoder: encoder, context: context)
            return
        }
        var file: NIOFileHandle?
        let body: IOData?
        switch plan.body {
        case .none:
            body = nil
        case .bytes(let bytes):
            body = .byteBuffer(context.channel.allocator.buffer(bytes: bytes))
        case .storedBytes(let buffer, _):
            body = .byteBuffer(buffer)
        case .remote:
            // Answered by `stream`, never written here.
            body = nil
        case .file(let path, let range):
            do {
                // FileRegion takes a NIOFileHandle; opening is one open(2), not a read.
                let handle = try NIOFileHandle(_deprecatedPath: path)
                file = handle
                body = .fileRegion(
                    FileRegion(
                        fileHandle: handle, readerIndex: Int(range.lowerBound), endIndex: Int(range.upperBound) + 1))
            } catch {
                logger.error("a stored blob could not be opened", metadata: ["path": "\(path)", "error": "\(error)"])
                let failure = DownloadPlanner.text(.internalServerError, "the file could not be read")
                write(failure, for: request, face: face, keepAlive: keepAlive, context: context)
                return
            }
        }
        context.write(wrapOutboundOut(.head(Self.head(of: plan, for: request, keepAlive: keepAlive))), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(body)), promise: nil) }
        let channel = context.channel
        let planner = self.planner
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { result in
            try? file?.close()
            let completed = (try? result.get()) != nil
            planner.record(plan, face: face, completed: completed)
            if !keepAlive || !completed { channel.close(promise: nil) }
        }
    }

    /// The HTTP encoder's context, found once: writing through it sends bytes on past the encoder.
    private var encoder: ChannelHandlerContext?

    func handlerRemoved(context: ChannelHandlerContext) {
        // The encoder's context is the pipeline's: not kept past this handler's time in it.
        encoder = nil
    }

    private func encoderContext(_ context: ChannelHandlerContext) -> ChannelHandlerContext? {
        if encoder == nil {
            encoder = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
        }
        return encoder
    }

    /// Writes a prepared answer (a small file's, from memory) as bytes encoded once: its head and body, one buffer, go
    /// straight past the HTTP encoder, which would otherwise copy the shared headers to check their framing and encode
    /// them again for every answer (about 9% of a small download's time in perf, issue 18). The encoder keeps no state
    /// between responses that this skips, and nothing else is written meanwhile: a download is written only when every
    /// earlier response has ended. The idle handler, which counts answers by their `.end`, is told with
    /// `AnsweredPastEncoder`.
    private func writePastEncoder(
        _ plan: DownloadPlanner.Plan, wire: ByteBuffer, face: String, encoder: ChannelHandlerContext,
        context: ChannelHandlerContext
    ) {
        let planner = self.planner
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        encoder.writeAndFlush(NIOAny(IOData.byteBuffer(wire))).assumeIsolated().whenComplete { result in
            let completed = (try? result.get()) != nil
            planner.record(plan, face: face, completed: completed)
            let context = bound.value
            context.triggerUserOutboundEvent(AnsweredPastEncoder(), promise: nil)
            if !completed { context.channel.close(promise: nil) }
        }
    }

    /// The answer's head: the plan's status and headers, and `Connection: close` when the connection ends after it.
    private static func head(of plan: DownloadPlanner.Plan, for request: HTTPRequestHead, keepAlive: Bool)
        -> HTTPResponseHead
    {
        var headers = plan.headers
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        return HTTPResponseHead(version: request.version, status: plan.status, headers: headers)
    }
}
