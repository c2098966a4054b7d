import HTTPTypes
import NIOCore
import Synchronization
import TrefoilFaceKit

/// Answers the plainest download, a keep-alive `GET` of a file whose whole answer is prepared in memory
/// (`DownloadPlanner.preparedNow`), in front of NIO's HTTP/1 decoder: read as bytes, answered as bytes.
///
/// Why by hand: with 16 clients fetching small files, the decoder and the request parts it sends down the pipeline
/// were the largest user-space cost of a download, about 40% of it (perf, issue 18), and the row stayed at 0.88–0.97×
/// of nginx. The same load answered with a fixed buffer from this position ran at 1.79× nginx. The fast path therefore
/// takes only what needs no judgement (`PlainRequestHead`); everything else goes to the decoder, byte for byte as it
/// came, and is answered by `DownloadHandler` or Hummingbird exactly as before.
///
/// It answers only a read that holds exactly one such request, and only while `DownloadHandler.isQuiet` (no earlier
/// answer still to come) and every byte passed to the decoder so far ended at the end of a request head (so the decoder
/// waits for a new request, not for the rest of one). At the first read it cannot vouch for that way, it passes the
/// read on and leaves the pipeline, for the rest of the connection. It tells `IdleConnectionHandler` when an answer
/// starts and when it has been written (`AnsweredBeforeDecoder`), so that idle timeouts and graceful shutdown treat it
/// like any other.
final class DownloadFastPath: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let planner: DownloadPlanner
    private let downloads: DownloadHandler
    /// Counts the answers written from here, as each is written (for tests and measurements).
    private let tally: FastPathTally

    init(planner: DownloadPlanner, downloads: DownloadHandler, tally: FastPathTally) {
        self.planner = planner
        self.downloads = downloads
        self.tally = tally
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let heads = buffer.withUnsafeReadableBytes({ PlainRequestHead.heads(in: $0) }) else {
            // The decoder has the connection from here on (a WebSocket's frames among it): leave the pipeline.
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        if heads.count == 1, downloads.isQuiet, context.channel.isWritable, let answer = answer(heads[0]) {
            write(answer, context: context)
        } else {
            context.fireChannelRead(data)
        }
    }

    private struct Answer {
        let plan: DownloadPlanner.Plan
        let face: String
        let wire: ByteBuffer
    }

    /// The prepared answer to `head`, or nil when it is not a plain download of one.
    private func answer(_ head: PlainRequestHead) -> Answer? {
        guard head.method == "GET", Self.asksPlainly(head) else { return nil }
        let (path, query) = DownloadHandler.split(head.target)
        guard let route = planner.route(forPath: path) else { return nil }
        let request = DownloadRequest(
            isHead: false, path: String(path), query: String(query), headers: head.httpFields)
        guard let plan = planner.preparedNow(route.route, request), let wire = plan.wire else { return nil }
        return Answer(plan: plan, face: route.face, wire: wire)
    }

    /// Whether the fields ask for nothing but the whole file on a kept-alive connection: exactly one `Host`, no
    /// `Connection` but `keep-alive`, and nothing that makes the answer partial, conditional or an upgrade.
    static func asksPlainly(_ head: PlainRequestHead) -> Bool {
        var hosts = 0
        for field in head.fields {
            switch field.name.lowercased() {
            case "host": hosts += 1
            case "connection": guard field.value.lowercased() == "keep-alive" else { return false }
            case "upgrade", "expect", "range", "if-range", "if-none-match", "if-match", "if-modified-since",
                "if-unmodified-since", "te", "trailer":
                return false
            default: break
            }
        }
        return hosts == 1
    }

    private func write(_ answer: Answer, context: ChannelHandlerContext) {
        context.fireUserInboundEventTriggered(AnsweredBeforeDecoder.started)
        // Counted before the bytes go: a client that has read the answer finds it counted.
        tally.answered()
        let planner = self.planner
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(answer.wire)).assumeIsolated().whenComplete { result in
            let completed = (try? result.get()) != nil
            planner.record(answer.plan, face: answer.face, completed: completed)
            let context = bound.value
            context.fireUserInboundEventTriggered(AnsweredBeforeDecoder.written)
            if !completed { context.close(promise: nil) }
        }
    }
}

/// Sent inbound by `DownloadFastPath` to `IdleConnectionHandler`, which keeps it: a request was read and its answer
/// begun (`started`), then written out in full (`written`), with no request part passing the decoder.
enum AnsweredBeforeDecoder {
    case started
    case written
}

/// How many downloads `DownloadFastPath` answered, over all connections.
final class FastPathTally: Sendable {
    private let count = Atomic<Int>(0)

    func answered() { count.add(1, ordering: .relaxed) }

    var answers: Int { count.load(ordering: .relaxed) }
}
