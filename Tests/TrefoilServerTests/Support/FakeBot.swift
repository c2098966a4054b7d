import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import NIOWebSocket
import OneBotV11
import ServiceLifecycle
import Synchronization

/// A bot framework in the test: accepts reverse WebSocket connections on `/ws` and webhook posts on
/// `/hook`, records everything, and can be told to fail or stall.
final class FakeBot: Sendable {
    /// How `/hook` answers.
    enum HookMode: Sendable {
        case accept
        /// Answers 503 to this many posts whose body contains `containing` (every post when it is empty), then
        /// accepts; other posts are accepted. A filter keeps a retried lifecycle post (its answer slower than the
        /// target's `timeout_ms` on a crowded machine) from using up the failures meant for an event.
        case failFirst(Int, containing: String = "")
        /// Never answers.
        case silent
    }

    struct Post: Sendable {
        let headers: HTTPFields
        let body: String
        var envelope: Envelope? { try? Envelope(text: body) }
    }

    struct Connection: Sendable {
        let headers: HTTPFields
        let frames: FrameLog
        /// Text frames to send, as their bytes.
        let outgoing: AsyncStream<[UInt8]>.Continuation
        func send(_ text: String) { outgoing.yield(Array(text.utf8)) }
        /// Sends `bytes` as a text frame even when they are not UTF-8, as a broken bot might.
        func sendText(bytes: [UInt8]) { outgoing.yield(bytes) }
    }

    let port: Int
    private let state = Store()

    /// The recordings, shared with the route handlers.
    final class Store: Sendable {
        private let value = Mutex<(posts: [Post], connections: [Connection], mode: HookMode, failures: Int)>(
            ([], [], .accept, 0))

        func withLock<T>(_ body: (inout (posts: [Post], connections: [Connection], mode: HookMode, failures: Int)) -> T)
            -> T
        {
            value.withLock { body(&$0) }
        }
    }
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var posts: [Post] { state.withLock { $0.posts } }
    var connections: [Connection] { state.withLock { $0.connections } }

    func setHookMode(_ mode: HookMode) { state.withLock { $0.mode = mode } }

    /// Listens on `port`, or on a port the system picks (never a port picked beforehand: another test could
    /// take it before the bind, and a probe would then find that test's server).
    init(port: Int = 0) async throws {
        let state = self.state
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.post("/hook") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let mode = state.withLock { state -> HookMode in
                state.posts.append(Post(headers: request.headers, body: String(buffer: body)))
                return state.mode
            }
            switch mode {
            case .accept: return Response(status: .ok)
            case .silent:
                try await Task.sleep(for: .seconds(3600))
                return Response(status: .ok)
            case .failFirst(let count, let containing):
                let text = String(buffer: body)
                guard containing.isEmpty || text.contains(containing) else { return Response(status: .noContent) }
                let failures = state.withLock { state in
                    state.failures += 1
                    return state.failures
                }
                return Response(status: failures <= count ? .serviceUnavailable : .noContent)
            }
        }
        let wsRouter = Router(context: BasicWebSocketRequestContext.self)
        wsRouter.ws("/ws") { inbound, outbound, context in
            let frames = FrameLog()
            let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
            state.withLock {
                $0.connections.append(
                    Connection(headers: context.request.headers, frames: frames, outgoing: continuation))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        if case .text(let text) = message { frames.append(text) }
                    }
                }
                group.addTask {
                    for await bytes in stream {
                        try await outbound.write(
                            .custom(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes))))
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
        var logger = Logger(label: "fake.bot")
        logger.logLevel = .critical
        let signal = ListenSignal()
        let app = Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: wsRouter),
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in signal.listening(on: channel.localAddress?.port ?? 0) },
            logger: logger)
        group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let bound: Int?
        (task, bound) = await signal.run(group)
        guard let bound else {
            throw LiveServerError(description: "the fake bot could not listen on port \(port)")
        }
        self.port = bound
    }

    /// Waits until `count` reverse connections have arrived.
    func connection(_ index: Int, timeout: Duration = .seconds(10)) async throws -> Connection {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let connection = state.withLock({ $0.connections.count > index ? $0.connections[index] : nil }) {
                return connection
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw WSTimeout(frames: [])
    }

    /// The first reverse connection that has sent its lifecycle `connect` frame. A connection the gateway gave up
    /// on before that frame (a handshake that timed out on a loaded machine) is passed over, as the gateway itself
    /// dials again.
    func connectedConnection(timeout: Duration = .seconds(20)) async throws -> Connection {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let all = state.withLock { $0.connections }
            if let live = all.first(where: { $0.frames.all.contains { $0.isLifecycleConnect } }) { return live }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw WSTimeout(frames: [])
    }

    /// Waits until a post matches.
    func post(timeout: Duration = .seconds(10), where predicate: (Post) -> Bool) async throws -> Post {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let post = posts.first(where: predicate) { return post }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw WSTimeout(frames: posts.map(\.body))
    }

    /// Stops at once: cancellation also ends a `silent` hook that a graceful shutdown would wait for.
    func stop() async {
        for connection in connections { connection.outgoing.finish() }
        task.cancel()
        _ = await task.result
    }
}
