import Foundation

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
        /// Every response received, warm-up and the drain after the window included: what a scenario that writes
        /// checks the server's state against.
        let answered: Int
        let window: Duration
        let latencies: [Sample]
        let failures: Int
        let firstFailure: String?

        var requestsPerSecond: Double { window.seconds > 0 ? Double(completed) / window.seconds : 0 }
    }

    private struct Totals {
        var completed = 0
        var answered = 0
        var latencies: [Sample] = []
        var failures = 0
        var firstFailure: String?
    }

    /// Runs the load; `frame(sequence, echo)` builds the request text for each request. Echoes count
    /// up from 0 on each connection. All connections are served from one thread of their own (see
    /// `LoadSocket`), so that the load takes as little of the machine as it can.
    static func run(
        url: String,
        connections: Int,
        depth: Int,
        warmup: Duration,
        duration: Duration,
        frame: @escaping @Sendable (_ sequence: Int, _ echo: Int) -> String
    ) async throws -> Outcome {
        try await onOwnThread {
            try runBlocking(
                url: url, connections: connections, depth: depth, warmup: warmup, duration: duration, frame: frame)
        }
    }

    /// One connection's requests in flight (echo → when it was sent) and its next sequence number.
    private struct Connection {
        let socket: LoadSocket
        let index: Int
        var inFlight: [Int: ContinuousClock.Instant] = [:]
        var sequence = 0
        var open = true
    }

    private static func runBlocking(
        url: String,
        connections count: Int,
        depth: Int,
        warmup: Duration,
        duration: Duration,
        frame: (Int, Int) -> String
    ) throws -> Outcome {
        let clock = ContinuousClock()
        var connections = try (0..<count).map { Connection(socket: try LoadSocket.open(url: url), index: $0) }
        let measureStart = clock.now + warmup
        let end = measureStart + duration
        var totals = Totals()
        func send(_ connection: inout Connection) throws {
            let echo = connection.sequence
            // Spread sequences across connections so that each request is distinct.
            let text = frame(connection.sequence * 1_000 + connection.index, echo)
            connection.sequence += 1
            connection.inFlight[echo] = clock.now
            try connection.socket.send(text: Array(text.utf8))
        }
        for index in connections.indices {
            for _ in 0..<depth { try send(&connections[index]) }
        }
        var polled = connections.map { pollfd(fd: $0.socket.fd, events: Int16(POLLIN), revents: 0) }
        while connections.contains(where: { $0.open && !$0.inFlight.isEmpty }) {
            for index in polled.indices { polled[index].revents = 0 }
            let ready = poll(&polled, nfds_t(polled.count), 10_000)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { throw BenchError("no response for 10 s (\(ready < 0 ? "poll failed" : "timeout"))") }
            for index in polled.indices where polled[index].revents != 0 && connections[index].open {
                var connection = connections[index]
                var answered = 0
                let socket = connection.socket
                let open = try socket.receive { bytes in
                    let now = clock.now
                    guard let echo = echoNumber(in: bytes), let sent = connection.inFlight.removeValue(forKey: echo)
                    else { return }
                    answered += 1
                    totals.answered += 1
                    if now >= measureStart && now <= end {
                        totals.completed += 1
                        if sent >= measureStart { totals.latencies.append(Sample(echo: echo, latency: now - sent)) }
                    }
                    if !isOK(bytes) {
                        totals.failures += 1
                        totals.firstFailure =
                            totals.firstFailure ?? String(decoding: bytes.prefix(300), as: UTF8.self)
                    }
                }
                connection.open = open
                if open && clock.now < end {
                    for _ in 0..<answered { try send(&connection) }
                }
                if !connection.open && !connection.inFlight.isEmpty {
                    throw BenchError("a load connection closed with \(connection.inFlight.count) requests unanswered")
                }
                connections[index] = connection
                if !open { polled[index].fd = -1 }  // poll skips it from now on
            }
        }
        for connection in connections where connection.open { connection.socket.sendClose() }
        return Outcome(
            completed: totals.completed, answered: totals.answered, window: duration, latencies: totals.latencies,
            failures: totals.failures,
            firstFailure: totals.firstFailure)
    }
}
