import Foundation
import HummingbirdWSClient
import Logging

/// A forward-WebSocket connection for request/response calls: any number of calls may be in
/// flight; each is matched to its response by an integer `echo`.
final class WSRPC: Sendable {
    /// A response frame and the moment it was read off the connection.
    struct Reply: Sendable {
        let text: String
        let receivedAt: ContinuousClock.Instant
    }

    private let outgoing: AsyncStream<String>.Continuation
    private let state = Locked(State())
    private let task: Task<Void, Never>
    private let connected: AsyncStream<Void>

    private struct State {
        var nextEcho = 1
        var pending: [Int: CheckedContinuation<Reply, any Error>] = [:]
        var closed: String?
    }

    /// Starts connecting to `url` (a `/api` path: no events arrive on it).
    init(url: String) {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let (connected, signal) = AsyncStream.makeStream(of: Void.self)
        self.outgoing = continuation
        self.connected = connected
        let state = self.state
        task = Task {
            var reason = "the connection closed"
            do {
                try await WebSocketClient.connect(
                    url: url, configuration: .bench, logger: Logger(label: "trefoil-bench.ws")
                ) { inbound, outbound, _ in
                    signal.yield()
                    signal.finish()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            let clock = ContinuousClock()
                            for try await message in inbound.messages(maxSize: 1 << 26) {
                                let now = clock.now
                                guard case .text(let text) = message, let echo = echoNumber(in: text) else { continue }
                                let waiter = state.withLock { $0.pending.removeValue(forKey: echo) }
                                waiter?.resume(returning: Reply(text: text, receivedAt: now))
                            }
                        }
                        group.addTask {
                            for await text in stream { try await outbound.write(.text(text)) }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
            } catch {
                reason = "the connection failed: \(error)"
            }
            signal.finish()
            let waiters = state.withLock { state in
                state.closed = reason
                defer { state.pending = [:] }
                return Array(state.pending.values)
            }
            for waiter in waiters { waiter.resume(throwing: BenchError(reason)) }
        }
    }

    /// Waits until the upgrade has completed (or failed).
    func waitUntilConnected() async throws {
        for await _ in connected { break }
        if let closed = state.withLock({ $0.closed }) { throw BenchError(closed) }
    }

    /// Sends `{"action", "params", "echo"}` and returns the raw response text.
    func call(_ action: String, params: String = "{}") async throws -> String {
        try await callTimed(action, params: params).text
    }

    /// Sends a request; returns the response and when it arrived.
    func callTimed(_ action: String, params: String = "{}") async throws -> Reply {
        try await withCheckedThrowingContinuation { continuation in
            let echo: Int? = state.withLock { state in
                if state.closed != nil { return nil }
                let echo = state.nextEcho
                state.nextEcho += 1
                state.pending[echo] = continuation
                return echo
            }
            guard let echo else {
                continuation.resume(throwing: BenchError("the WebSocket connection is closed"))
                return
            }
            outgoing.yield(#"{"action":"\#(action)","params":\#(params),"echo":\#(echo)}"#)
        }
    }

    /// Calls and decodes; throws unless the response says `ok`.
    func callOK(_ action: String, params: String = "{}") async throws -> [String: Any] {
        let text = try await call(action, params: params)
        guard let envelope = Envelope.parse(text), envelope["status"] as? String == "ok" else {
            throw BenchError("\(action) failed: \(text.prefix(300))")
        }
        return envelope
    }

    func close() async {
        outgoing.finish()
        await task.value
    }

    /// Connects, runs `body`, and closes the connection whether `body` throws or not.
    static func withConnection<T>(url: String, _ body: (WSRPC) async throws -> T) async throws -> T {
        let client = WSRPC(url: url)
        do {
            try await client.waitUntilConnected()
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}

extension WebSocketClientConfiguration {
    /// Large frames allowed, no automatic pings (they would add frames to the measurements).
    static var bench: WebSocketClientConfiguration {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 26)
        configuration.autoPing = .disabled
        return configuration
    }
}

/// The integer after `"echo":` in a response frame, found without decoding the JSON.
///
/// Trefoil writes an envelope's keys sorted, so `echo` follows `data` and sits near the end: the
/// search runs backwards over the bytes. (A forward search through `String.UTF8View` cost the
/// client about 0.9 ms per 22 KB listing, as much CPU as the server spent answering it.)
func echoNumber(in text: String) -> Int? {
    var text = text
    return text.withUTF8 { echoNumber(in: $0) }
}

/// The integer after `"echo":` in a response frame's bytes.
func echoNumber(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    guard let start = lastRange(of: #""echo":"#, in: bytes)?.upperBound else { return nil }
    var value = 0
    var digits = 0
    for byte in bytes[start...] {
        if byte == UInt8(ascii: " ") && digits == 0 { continue }
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
        digits += 1
    }
    return digits > 0 ? value : nil
}

/// Whether a response frame's envelope says `"status":"ok"`, searched from the end like `echo`.
func isOK(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    lastRange(of: #""status":"ok""#, in: bytes) != nil
}

/// Where `needle` last occurs in `bytes`.
private func lastRange(of needle: String, in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
    let key = Array(needle.utf8)
    guard bytes.count >= key.count else { return nil }
    var start = bytes.count - key.count
    while start >= 0 {
        if bytes[start] == key[0] {
            var matched = 1
            while matched < key.count && bytes[start + matched] == key[matched] { matched += 1 }
            if matched == key.count { return start..<(start + key.count) }
        }
        start -= 1
    }
    return nil
}
