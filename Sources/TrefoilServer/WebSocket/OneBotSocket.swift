import CoreMetrics
import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import OneBotV11
import ServiceLifecycle
import TrefoilConfiguration
import TrefoilCore
import TrefoilFaceKit

/// One OneBot WebSocket connection, whoever dialled it: forward connections (docs/onebot11.md §1.3: `/`
/// carries actions and events, `/api` actions only, `/event` events only) and reverse ones (§1.4:
/// roles `Universal`, `API`, `Event`) are served alike.
struct OneBotSocket: Sendable {
    enum Role: String, Sendable {
        case universal, api, event

        var receivesEvents: Bool { self != .api }

        init(_ role: OneBot11Settings.ReverseWebSocket.Role) {
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
    let events: Broadcast<EventFrame>
    let stats: TransportStats
    /// Where the open connections are listed, for the console and `/metrics`.
    let board: ConnectionBoard
    /// The gateway's metrics factory: events sent and lost per kind of connection.
    let metrics: any MetricsFactory
    let maxMessageBytes: Int
    let logger: Logger
    /// Requests of one connection served at once; more wait, so a flood cannot grow memory.
    let maxInFlight = 64
    /// Events buffered per connection; a client that falls further behind loses events, not memory.
    let eventBuffer = 1024
    /// How long an event caused by a request on this connection waits for that request's answer: an action
    /// that answers late (or never) holds back this connection's events for no longer than this.
    let answerWait: Duration = .seconds(5)

    /// Serves one connection until the client leaves or the gateway shuts down.
    ///
    /// Each request is answered on a task of its own, which writes its response frame itself; events
    /// go out from one more task. `WebSocketOutboundWriter` takes writes from several tasks at once
    /// (frames stay whole), and writing straight from the task that made the answer spares every
    /// response two hand-offs (an `AsyncStream` and a merge with the events) before the socket.
    ///
    /// An event caused by a request on this connection (an upload's `group_upload`) goes out after that
    /// request's answer: a bot that reads the answer and then waits for the event (AliceBot's `get()`) would
    /// miss an event that came first. Other connections get the event at once.
    ///
    /// Throws the error that ended the inbound messages (a message over the size limit, a text message that
    /// is not UTF-8), so that WSCore closes the connection with that error's code (1009, 1007).
    ///
    /// `direction` and `address` (the peer's, or the reverse target's URL) are what the board lists it under.
    func serve(
        _ role: Role, direction: ConnectionBoard.Direction, address: String, inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter
    ) async throws {
        stats.connections.add(1, ordering: .relaxed)
        let listed = board.opened(direction, role: role.rawValue, address: address)
        defer {
            board.closed(listed)
            stats.connections.subtract(1, ordering: .relaxed)
            stats.disconnects.add(1, ordering: .relaxed)
        }
        let counted = EventMetrics(direction == .forward ? .forwardWebSocket : .reverseWebSocket, factory: metrics)
        // Subscribe before the lifecycle frame goes out, so that no event falls between the two; and
        // send that frame before reading, so that it comes before every response.
        let eventFrames =
            role.receivesEvents ? events.subscribe(bufferSize: eventBuffer) { counted.dropped() } : nil
        // What the pending-upload bound per connection counts by.
        let client = "websocket-" + UUID().uuidString.lowercased()
        let answers = role.receivesEvents ? AnswerLedger() : nil
        if role.receivesEvents {
            guard await send(ByteBuffer(string: lifecycleFrame()), to: outbound) else { return }
            counted.sent()
        }
        let ended = await withTaskGroup(of: Void.self) { connection -> (any Error)? in
            if let eventFrames, let answers {
                connection.addTask {
                    for await event in eventFrames {
                        if let origin = event.origin { await answers.waitForAnswer(to: origin, upTo: answerWait) }
                        guard await send(event.bytes, to: outbound) else { return }
                        counted.sent()
                    }
                }
            }
            defer { connection.cancelAll() }
            do {
                try await cancelWhenGracefulShutdown {
                    try await readRequests(inbound, outbound: outbound, answers: answers, client: client)
                }
                return nil
            } catch {
                return error
            }
        }
        // A shutdown's cancellation is no failure of the connection: WSCore has already closed it with 1000.
        if let ended, !(ended is CancellationError), !Task.isShuttingDownGracefully { throw ended }
    }

    /// Reads frames and answers each on its own task, at most `maxInFlight` at once; `answers` (on a
    /// connection that gets events) learns when each answer is written.
    private func readRequests(
        _ inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, answers: AnswerLedger?, client: String
    ) async throws {
        var failure: (any Error)?
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
                        if let answers {
                            let origin = answers.begin()
                            workers.addTask {
                                let answer = await EventOrigin.$current.withValue(origin) {
                                    await respond(to: text, client: client, outbound: outbound)
                                }
                                await send(answer, to: outbound)
                                ResponseFrames.sent(answer)
                                answers.answered(origin)
                            }
                        } else {
                            workers.addTask {
                                let answer = await respond(to: text, client: client, outbound: outbound)
                                await send(answer, to: outbound)
                                ResponseFrames.sent(answer)
                            }
                        }
                    case .binary:
                        workers.addTask {
                            let refusal = frame(.failed(.badRequest("binary frames are not supported"), echo: nil))
                            await send(refusal, to: outbound)
                        }
                    }
                }
            } catch {
                logger.debug("websocket closing on a bad message", metadata: ["error": "\(error)"])
                failure = error
            }
            await workers.waitForAll()
        }
        // A message over the size limit, or a text message that is not UTF-8: the requests read before it have
        // been answered; WSCore now closes the connection with the error's code (1009, 1007).
        if let failure { throw failure }
    }

    /// Writes one text frame; false once the connection can take no more (the reason is logged).
    @discardableResult
    private func send(_ bytes: ByteBuffer, to outbound: WebSocketOutboundWriter) async -> Bool {
        do {
            try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: bytes)))
            stats.framesSent.add(1, ordering: .relaxed)
            return true
        } catch {
            logger.debug("websocket write failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// The answer to one text frame. A stream action's envelopes before the last are written from here as they are
    /// made, each after the one before has gone out, so a long download holds one chunk at a time.
    func respond(to text: String, client: String, outbound: WebSocketOutboundWriter) async -> ByteBuffer {
        switch ActionRequest.decode(text) {
        case .failure(let failed): return frame(.failed(failed.error, echo: failed.echo))
        case .success(var request):
            request.params.client = client
            return frame(
                await table.respond(to: request) { envelope in
                    let chunk = frame(envelope)
                    defer { ResponseFrames.sent(chunk) }
                    return await send(chunk, to: outbound)
                })
        }
    }

    private func frame(_ response: ActionResponse) -> ByteBuffer { ResponseFrames.frame(response) }

    private func lifecycleFrame() -> String {
        let event = OneBotEvents.lifecycle(
            "connect", selfID: table.context.selfID, time: Int64(Date().timeIntervalSince1970))
        return String(decoding: event.encoded(), as: UTF8.self)
    }
}
