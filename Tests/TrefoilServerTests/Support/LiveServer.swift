import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import OneBotV11
import ServiceLifecycle
import Synchronization
import Testing
import TrefoilConfiguration
import TrefoilCore
import TrefoilFaceKit
import TrefoilJSON
import TrefoilTestSupport

@testable import TrefoilServer

/// A real Trefoil listening on a loopback port, with a temp data directory.
struct LiveServer: Sendable {
    let port: Int
    let config: TrefoilConfig
    let root: String
    let gateway: Gateway
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let stopped = StopFlag()

    /// Set once `stop()` has begun; a second `stop()` does nothing.
    private final class StopFlag: Sendable {
        let raised = Atomic<Bool>(false)
    }

    /// Whether `stop()` has been called.
    var isStopped: Bool { stopped.raised.load(ordering: .acquiring) }

    var base: String { "http://127.0.0.1:\(port)" }
    var dataDir: String { config.storage.dataDir }

    /// Starts a server with `faces` (those the config enables run); `root` reuses a previous server's folder (its
    /// data directory survives).
    static func start(
        root: String? = nil,
        token: String = "",
        faces: [any Face.Type] = [OneBot11Face.self],
        clock: TestClock? = nil,
        configure: (inout TrefoilConfig) -> Void = { _ in }
    ) async throws -> LiveServer {
        let root = root ?? makeTempDirectory(prefix: "trefoil-live")
        try FileManager.default.createDirectory(atPath: root + "/roots", withIntermediateDirectories: true)
        var logger = Logger(label: "trefoil.test")
        logger.logLevel = .warning
        // The port is free when picked, but a parallel test's connection may take it before the server binds it
        // (the bind then fails and the server never runs): pick another and try again.
        for _ in 0..<5 {
            let port = try freePort()
            var config = TrefoilConfig.defaults
            config.onebot11.accessToken = token
            config.storage.dataDir = root + "/data"
            config.server.port = port
            config.server.publicURL = "http://127.0.0.1:\(port)"
            config.upload.localRoots = [root + "/roots"]
            config.onebot11.heartbeat.enable = false
            try await TestBlobs.configure(&config, root: root)
            configure(&config)
            let gateway =
                if let clock {
                    try await Gateway.open(config: config, faces: faces, logger: logger, clock: clock.read)
                } else {
                    try await Gateway.open(config: config, faces: faces, logger: logger)
                }
            let signal = ListenSignal()
            let app = gateway.application(onServerRunning: { port in signal.listening(on: port) })
            let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
            let (task, listening) = await signal.run(group)
            if listening != nil {
                let server = LiveServer(
                    port: port, config: config, root: root, gateway: gateway, group: group, task: task)
                StartedServers.current?.add(server)
                return server
            }
            _ = await task.result
            await gateway.close()
        }
        throw LiveServerError(description: "no free port could be bound in five tries")
    }

    /// Shuts down gracefully, as SIGTERM would, and waits until everything has stopped. A shutdown that takes over
    /// 30 s is a failure of the test, and the server is then cancelled: a run must end, never hang.
    func stop() async {
        guard !stopped.raised.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await group.triggerGracefulShutdown()
        let task = self.task
        let watchdog = Task {
            try await Task.sleep(for: .seconds(30))
            task.cancel()
        }
        _ = await task.result
        watchdog.cancel()
        if case .success = await watchdog.result {
            Issue.record("the server did not stop within 30 s of a graceful shutdown")
        }
        await gateway.close()
    }

    func removeFiles() { try? FileManager.default.removeItem(atPath: root) }

    /// The SHA-256 of every blob the store's backend holds (files under `blobs/`, or objects in the run's bucket).
    /// Every blob the store holds: the backend's and those kept in the database.
    func storedBlobs() async throws -> [String] { try await gateway.tree.heldBlobs() }

    // MARK: HTTP

    /// A connected HTTP/1.1 client (keep-alive; one request at a time).
    func client() -> TestClient {
        let client = TestClient(
            host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(30)),
            eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton))
        client.connect()
        return client
    }

    func request(
        _ uri: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:], body: ByteBuffer? = nil
    ) async throws -> TestClient.Response {
        let client = client()
        do {
            let response = try await client.execute(.init(uri, method: method, headers: headers, body: body))
            try await client.shutdown()
            return response
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Calls an action with a JSON body and returns the decoded envelope.
    func call(_ action: String, _ params: JSONValue = [:], token: String? = nil) async throws -> Envelope {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token = token ?? (config.onebot11.accessToken.isEmpty ? nil : config.onebot11.accessToken) {
            headers[.authorization] = "Bearer \(token)"
        }
        let response = try await request(
            "/\(action)", method: .post, headers: headers, body: ByteBuffer(bytes: params.encoded()))
        return try Envelope(response.body ?? ByteBuffer())
    }
}

/// A decoded response envelope, with accessors for what tests check.
struct Envelope: Sendable, CustomStringConvertible {
    let json: JSONValue

    init(_ json: JSONValue) { self.json = json }

    init(_ buffer: ByteBuffer) throws {
        json = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
    }

    init(text: String) throws {
        json = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    var status: String? { json["status"]?.stringValue }
    var retcode: Int64? { json["retcode"]?.intValue }
    var msg: String? { json["msg"]?.stringValue }
    var message: String? { json["message"]?.stringValue }
    var data: JSONValue { json["data"] ?? .null }
    var echo: JSONValue? { json["echo"] }
    var isOK: Bool { status == "ok" && retcode == 0 }
    var description: String { String(decoding: json.encoded(), as: UTF8.self) }

    /// `data.key` as a string.
    func string(_ key: String) -> String? { data[key]?.stringValue }
    func int(_ key: String) -> Int64? { data[key]?.intValue }
}

extension JSONValue {
    var intValue: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value): Int64(exactly: value)
        default: nil
        }
    }

    var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}

struct LiveServerError: Error, CustomStringConvertible {
    let description: String
}

/// A port that was free a moment ago.
func freePort() throws -> Int {
    let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).wait()
    let port = channel.localAddress!.port!
    try channel.close().wait()
    return port
}

// MARK: WebSocket

/// A forward-WebSocket client session that records every frame it receives.
final class WSSession: Sendable {
    let log = FrameLog()
    private let outgoing: AsyncStream<Outgoing>.Continuation

    enum Outgoing: Sendable {
        case text(String)
        case binary([UInt8])
    }
    private let task: Task<WebSocketCloseFrame?, any Error>

    /// Connects to `path` (with `headers`) and starts recording.
    init(port: Int, path: String = "/", headers: HTTPFields = [:], maxFrameSize: Int = 1 << 26) {
        let (stream, continuation) = AsyncStream.makeStream(of: Outgoing.self)
        outgoing = continuation
        let log = self.log
        var configuration = WebSocketClientConfiguration(maxFrameSize: maxFrameSize, additionalHeaders: headers)
        configuration.autoPing = .disabled
        task = Task {
            try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)\(path)", configuration: configuration, logger: Logger(label: "ws.test")
            ) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await message in inbound.messages(maxSize: 1 << 27) {
                            if case .text(let text) = message { log.append(text) }
                        }
                    }
                    group.addTask {
                        for await frame in stream {
                            switch frame {
                            case .text(let text): try await outbound.write(.text(text))
                            case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                            }
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    func send(_ text: String) { outgoing.yield(.text(text)) }
    func sendBinary(_ bytes: [UInt8]) { outgoing.yield(.binary(bytes)) }

    /// Sends a request and waits for the response carrying its echo.
    func call(_ action: String, _ params: JSONValue = [:], echo: JSONValue = .string(UUID().uuidString)) async throws
        -> Envelope
    {
        let request: JSONValue = ["action": .string(action), "params": params, "echo": echo]
        send(String(decoding: request.encoded(), as: UTF8.self))
        return try await next { $0.echo == echo && $0.json["post_type"] == nil }
    }

    /// Every frame so far, decoded.
    var received: [Envelope] { log.all }

    /// Waits (up to `timeout`) for a frame matching `predicate`.
    func next(timeout: Duration = .seconds(20), _ predicate: @escaping @Sendable (Envelope) -> Bool) async throws
        -> Envelope
    {
        try await log.first(matching: predicate, timeout: timeout)
    }

    /// Closes from our side; returns the server's close frame when the server closed first.
    @discardableResult
    func close() async -> WebSocketCloseFrame? {
        outgoing.finish()
        return try? await task.value
    }

    /// Waits for the connection to end by itself and returns how it ended.
    func ended() async -> Result<WebSocketCloseFrame?, any Error> {
        await task.result
    }
}

/// The frames a session received, in order, decoded once; waiters are woken as frames arrive.
final class FrameLog: Sendable {
    private struct Waiter {
        let predicate: @Sendable (Envelope) -> Bool
        let continuation: CheckedContinuation<Envelope, any Error>
    }

    private struct State {
        var frames: [Envelope] = []
        var raw: [String] = []
        var waiters: [UUID: Waiter] = [:]
    }

    private let state = Mutex(State())

    func append(_ text: String) {
        guard let envelope = try? Envelope(text: text) else { return }
        let woken = state.withLock { state -> [(CheckedContinuation<Envelope, any Error>)] in
            state.frames.append(envelope)
            state.raw.append(text)
            let matches = state.waiters.filter { $0.value.predicate(envelope) }
            for key in matches.keys { state.waiters[key] = nil }
            return matches.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume(returning: envelope) }
    }

    var all: [Envelope] { state.withLock { $0.frames } }

    func first(matching predicate: @escaping @Sendable (Envelope) -> Bool, timeout: Duration) async throws -> Envelope {
        let id = UUID()
        return try await withThrowingTaskGroup(of: Envelope?.self) { group in
            group.addTask {
                try await withCheckedThrowingContinuation { continuation in
                    let found = self.state.withLock { state -> Envelope? in
                        if let match = state.frames.first(where: predicate) { return match }
                        state.waiters[id] = Waiter(predicate: predicate, continuation: continuation)
                        return nil
                    }
                    if let found { continuation.resume(returning: found) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            if let result = try await group.next(), let envelope = result {
                group.cancelAll()
                return envelope
            }
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            let frames = state.withLock { $0.raw }
            waiter?.continuation.resume(throwing: WSTimeout(frames: frames))
            throw WSTimeout(frames: frames)
        }
    }
}

struct WSTimeout: Error, CustomStringConvertible {
    let frames: [String]
    var description: String { "timed out; frames so far: \(frames.prefix(5))" }
}

extension Envelope {
    var postType: String? { json["post_type"]?.stringValue }
    var isLifecycleConnect: Bool {
        postType == "meta_event" && json["meta_event_type"] == "lifecycle" && json["sub_type"] == "connect"
    }
}

/// The port a test server reports from `onServerRunning`, awaited while its service group runs.
struct ListenSignal: Sendable {
    private let stream: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream(of: Int.self) }

    /// Pass to `onServerRunning`.
    func listening(on port: Int) { continuation.yield(port) }

    /// Runs `group`; returns its task and the port it listens on, or nil when the group ended before listening
    /// (its bind failed, say) — never waits for a server that will not come.
    func run(_ group: ServiceGroup) async -> (task: Task<Void, any Error>, port: Int?) {
        let continuation = self.continuation
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var ports = stream.makeAsyncIterator()
        return (task, await ports.next())
    }
}
