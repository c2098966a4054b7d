import Foundation
import HummingbirdWSClient
import Logging

/// Closed-loop pipelined load over forward WebSocket: each connection keeps `depth` requests in
/// flight (matched by `echo`), sending the next one as each response arrives, until the window
/// ends. Latency is measured per request with `ContinuousClock`, from just before its frame is
/// written to just after its response frame is read.
enum WSLoad {
    /// One request's latency, with the echo it carried.
    struct Sample: Sendable {
        let echo: Int
        let latency: Duration
    }

    struct Outcome: Sendable {
        /// Responses received inside the measured window.
        let completed: Int
        let window: Duration
        let latencies: [Sample]
        let failures: Int
        let firstFailure: String?

        var requestsPerSecond: Double { window.seconds > 0 ? Double(completed) / window.seconds : 0 }
    }

    private struct Totals {
        var completed = 0
        var latencies: [Sample] = []
        var failures = 0
        var firstFailure: String?
        var connectionError: String?
    }

    /// Runs the load; `frame(sequence, echo)` builds the request text for each request. Echoes count
    /// up from 0 on each connection.
    static func run(
        url: String,
        connections: Int,
        depth: Int,
        warmup: Duration,
        duration: Duration,
        frame: @escaping @Sendable (_ sequence: Int, _ echo: Int) -> String
    ) async throws -> Outcome {
        let clock = ContinuousClock()
        let measureStart = clock.now + warmup
        let end = measureStart + duration
        let totals = Locked(Totals())
        await withTaskGroup(of: Void.self) { group in
            for connection in 0..<connections {
                group.addTask {
                    do {
                        let local = try await runConnection(
                            url: url, connection: connection, depth: depth, measureStart: measureStart, end: end,
                            frame: frame)
                        totals.withLock { totals in
                            totals.completed += local.completed
                            totals.latencies += local.latencies
                            totals.failures += local.failures
                            totals.firstFailure = totals.firstFailure ?? local.firstFailure
                        }
                    } catch {
                        totals.withLock { $0.connectionError = $0.connectionError ?? "\(error)" }
                    }
                }
            }
        }
        let result = totals.withLock { $0 }
        if let error = result.connectionError { throw BenchError("a load connection failed: \(error)") }
        return Outcome(
            completed: result.completed, window: duration, latencies: result.latencies, failures: result.failures,
            firstFailure: result.firstFailure)
    }

    private static func runConnection(
        url: String,
        connection: Int,
        depth: Int,
        measureStart: ContinuousClock.Instant,
        end: ContinuousClock.Instant,
        frame: @escaping @Sendable (Int, Int) -> String
    ) async throws -> Totals {
        let result = Locked(Totals())
        try await WebSocketClient.connect(url: url, configuration: .bench, logger: Logger(label: "trefoil-bench.load"))
        {
            inbound, outbound, _ in
            let clock = ContinuousClock()
            var local = Totals()
            var inFlight: [Int: ContinuousClock.Instant] = [:]
            var sequence = 0
            func send() async throws {
                let echo = sequence
                // Spread sequences across connections so that each request is distinct.
                let text = frame(sequence * 1_000 + connection, echo)
                sequence += 1
                inFlight[echo] = clock.now
                try await outbound.write(.text(text))
            }
            for _ in 0..<depth { try await send() }
            var messages = inbound.messages(maxSize: 1 << 26).makeAsyncIterator()
            while !inFlight.isEmpty, let message = try await messages.next() {
                let now = clock.now
                guard case .text(let text) = message, let echo = echoNumber(in: text),
                    let sent = inFlight.removeValue(forKey: echo)
                else { continue }
                if now >= measureStart && now <= end {
                    local.completed += 1
                    if sent >= measureStart { local.latencies.append(Sample(echo: echo, latency: now - sent)) }
                }
                if !isOK(text) {
                    local.failures += 1
                    local.firstFailure = local.firstFailure ?? String(text.prefix(300))
                }
                if now < end { try await send() }
            }
            try await outbound.close(.normalClosure, reason: nil)
            result.withLock { $0 = local }
        }
        return result.withLock { $0 }
    }
}
