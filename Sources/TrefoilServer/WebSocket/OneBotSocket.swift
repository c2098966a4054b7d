import AsyncAlgorithms
import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import OneBotV11
import ServiceLifecycle
import TrefoilCore

/// One OneBot WebSocket connection, whoever dialled it: forward connections (PROTOCOL.md §1.3: `/`
/// carries actions and events, `/api` actions only, `/event` events only) and reverse ones (§1.4:
/// roles `Universal`, `API`, `Event`) are served alike.
struct OneBotSocket: Sendable {
    enum Role: String, Sendable {
        case universal, api, event

        var receivesEvents: Bool { self != .api }

        init(_ role: TrefoilConfig.ReverseWebSocket.Role) {
            switch role {
            case .universal: self = .universal
            case .api: self = .api
            case .event: self = .event
            }
        }

        /// The role of a request path (`/`, `/api`, `/event`, trailing slash allowed, query ignored).
        init?(path: String) {
            let bare = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
            switch bare {
            case "/", "": self = .universal
            case "/api", "/api/": self = .api
            case "/event", "/event/": self = .event
            default: return nil
            }
        }
    }

    let table: ActionTable
    let events: Broadcast<String>
    let stats: TransportStats
    let maxMessageBytes: Int
    let logger: Logger
    /// Requests of one connection served at once; more wait, so a flood cannot grow memory.
    let maxInFlight = 64
    /// Events buffered per connection; a client that falls further behind loses events, not memory.
    let eventBuffer = 1024

    /// Serves one connection until the client leaves or the gateway shuts down.
    func serve(_ role: Role, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        stats.connections.add(1, ordering: .relaxed)
        defer {
            stats.connections.subtract(1, ordering: .relaxed)
            stats.disconnects.add(1, ordering: .relaxed)
        }
        let (responses, responder) = AsyncStream.makeStream(of: ByteBuffer.self)
        // Subscribe before the lifecycle frame goes out, so that no event falls between the two.
        let eventFrames = role.receivesEvents ? events.subscribe(bufferSize: eventBuffer) : nil
        let lifecycle = role.receivesEvents ? lifecycleFrame() : nil

        await withTaskGroup(of: Void.self) { connection in
            connection.addTask {
                await writeFrames(lifecycle: lifecycle, responses: responses, events: eventFrames, to: outbound)
            }
            await cancelWhenGracefulShutdown {
                await readRequests(inbound, answer: responder)
            }
            responder.finish()
            connection.cancelAll()
        }
    }

    /// Reads frames and answers each on its own task, at most `maxInFlight` at once.
    private func readRequests(_ inbound: WebSocketInboundStream, answer: AsyncStream<ByteBuffer>.Continuation) async {
        await withTaskGroup(of: Void.self) { workers in
            var running = 0
            do {
                for try await message in inbound.messages(maxSize: maxMessageBytes) {
                    stats.requestsReceived.add(1, ordering: .relaxed)
                    if running >= maxInFlight {
                        await workers.next()
                        running -= 1
                    }
                    running += 1
                    switch message {
                    case .text(let text):
                        workers.addTask { answer.yield(await respond(to: Data(text.utf8))) }
                    case .binary:
                        workers.addTask {
                            answer.yield(frame(.failed(.badRequest("binary frames are not supported"), echo: nil)))
                        }
                    }
                }
            } catch {
                // An oversized or malformed frame: WSCore closes this connection (1009 / 1002).
                logger.debug("websocket closed on a bad frame", metadata: ["error": "\(error)"])
            }
            await workers.waitForAll()
        }
    }

    /// Responses arrive as the encoded bytes and go out as text frames without a round trip through
    /// `String` (a listing page is tens of kilobytes); events are shared `String`s.
    private func writeFrames(
        lifecycle: String?,
        responses: AsyncStream<ByteBuffer>,
        events: AsyncStream<String>?,
        to outbound: WebSocketOutboundWriter
    ) async {
        do {
            if let lifecycle {
                try await outbound.write(.text(lifecycle))
                stats.framesSent.add(1, ordering: .relaxed)
            }
            let eventFrames = (events ?? AsyncStream { $0.finish() }).map { ByteBuffer(string: $0) }
            for await bytes in merge(responses, eventFrames) {
                try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: bytes)))
                stats.framesSent.add(1, ordering: .relaxed)
            }
        } catch {
            logger.debug("websocket write failed", metadata: ["error": "\(error)"])
        }
    }

    func respond(to data: Data) async -> ByteBuffer {
        switch ActionRequest.decode(data) {
        case .failure(let failed): return frame(.failed(failed.error, echo: failed.echo))
        case .success(let request): return frame(await table.respond(to: request))
        }
    }

    private func frame(_ response: ActionResponse) -> ByteBuffer {
        ByteBuffer(bytes: response.encodedBytes())
    }

    private func lifecycleFrame() -> String {
        let event = OneBotEvents.lifecycle(
            "connect", selfID: table.context.selfID, time: Int64(Date().timeIntervalSince1970))
        return String(decoding: event.encoded(), as: UTF8.self)
    }
}
