import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import TrefoilServer

/// Builds a router for `withFetchTestServer`.
func makeFetchTestRouter(_ configure: (Router<BasicRequestContext>) -> Void) -> Router<BasicRequestContext> {
    let router = Router()
    configure(router)
    return router
}

/// Runs a Hummingbird server on `host` port 0 for the duration of `body`, passing it the bound port.
func withFetchTestServer<Result: Sendable>(
    host: String = "127.0.0.1",
    _ router: Router<BasicRequestContext>,
    _ body: (Int) async throws -> Result
) async throws -> Result {
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router,
        configuration: .init(address: .hostname(host, port: 0)),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        }
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        defer { group.cancelAll() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try #require(port > 0)
        return try await body(port)
    }
}

/// A raw TCP server on 127.0.0.1 that answers the first request bytes with `script` and then does nothing more,
/// for behaviour Hummingbird will not produce (stalls, truncation, garbage).
func withScriptedServer<Result: Sendable>(
    script: String?,
    closeAfterScript: Bool = false,
    tls: NIOSSLContext? = nil,
    _ body: (Int) async throws -> Result
) async throws -> Result {
    let scriptBytes = script.map { ByteBuffer(string: $0) }
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                if let tls {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                }
                try channel.pipeline.syncOperations.addHandler(
                    ScriptedResponder(script: scriptBytes, closeAfterScript: closeAfterScript))
            }
        }
        .bind(host: "127.0.0.1", port: 0).get()
    let port = try #require(server.localAddress?.port)
    do {
        let result = try await body(port)
        try? await server.close()
        return result
    } catch {
        try? await server.close()
        throw error
    }
}

private final class ScriptedResponder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let script: ByteBuffer?
    private let closeAfterScript: Bool
    private var answered = false

    init(script: ByteBuffer?, closeAfterScript: Bool) {
        self.script = script
        self.closeAfterScript = closeAfterScript
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.answered else { return }
        self.answered = true
        guard let script = self.script else { return }
        let written = context.writeAndFlush(self.wrapOutboundOut(script))
        if self.closeAfterScript {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// A route at `path` that answers 200 and then trickles its body (`trickleBody`).
func addTrickleRoute(_ router: Router<BasicRequestContext>, path: RouterPath = "/trickle") {
    router.get(path) { _, _ in Response(status: .ok, body: trickleBody()) }
}

/// A body sent one byte every 200 ms for a minute: never idle long enough for an inactivity timeout, never done
/// either.
func trickleBody() -> ResponseBody {
    ResponseBody { writer in
        for _ in 0..<300 {
            try await writer.write(ByteBuffer(bytes: [0x2E]))
            try await Task.sleep(for: .milliseconds(200))
        }
        try await writer.finish(nil)
    }
}

/// A fetcher for tests: short timeout, and loopback addresses allowed only when listed.
func makeTestFetcher(
    allowPrivateNetworks: Bool = false,
    allowList: Set<String> = [],
    timeout: Duration = .seconds(10),
    totalTimeout: Duration? = nil,
    maxRedirects: Int = 5,
    maxBytes: Int64 = 4 << 30
) -> SafeFetcher {
    var fetcher = SafeFetcher(
        configuration: .init(
            timeout: timeout, totalTimeout: totalTimeout, allowPrivateNetworks: allowPrivateNetworks,
            maxRedirects: maxRedirects, maxBytes: maxBytes, userAgent: "Trefoil/test"))
    fetcher.policy.allowList = allowList
    return fetcher
}

/// Reads a whole FetchBody, also returning the largest single buffer seen.
func drainFetchBody(_ body: FetchBody) async throws(FetchError) -> (bytes: [UInt8], buffers: Int, largestBuffer: Int) {
    var bytes: [UInt8] = []
    var buffers = 0
    var largest = 0
    for try await buffer in body {
        buffers += 1
        largest = max(largest, buffer.readableBytes)
        bytes.append(contentsOf: buffer.readableBytesView)
    }
    return (bytes, buffers, largest)
}

/// The FetchError thrown by `operation`, or nil if it succeeded; any other error is recorded as an issue.
func fetchError<T>(_ operation: () async throws -> T) async -> FetchError? {
    do {
        _ = try await operation()
        return nil
    } catch let error as FetchError {
        return error
    } catch {
        Issue.record("expected a FetchError, got \(error)")
        return nil
    }
}

/// A request header's value by name, without spelling HTTPTypes' field-name type.
func requestHeader(_ fields: HTTPFields, _ name: String) -> String? {
    fields.first { $0.name.canonicalName == name.lowercased() }?.value
}
