import Foundation

/// The fan-out's event clients: forward-WS connections to `/event` on plain sockets (`LoadSocket`), all read by one
/// thread with `poll`. The bench shares the two cores with the server it measures: with one NIO `WebSocketClient`
/// per client, a full fan-out run (1,000 clients, 103 uploads) cost the bench 4.1–4.6 s of CPU and read ack → last
/// receipt p50 45 ms; with these, 2.7–2.9 s and 29–36 ms (two alternating pairs of runs against the same server).
enum FanOutClients {
    /// Connects `count` clients, counts each as connected in `ledger` once its lifecycle frame came, then records
    /// when each `group_upload` notice reached each client, until every client has seen `uploads` of them or
    /// `stop` is set.
    static func run(url: String, count: Int, uploads: Int, ledger: FanOutLedger, stop: Locked<Bool>) async throws {
        try await onOwnThread {
            try runBlocking(url: url, count: count, uploads: uploads, ledger: ledger, stop: stop)
        }
    }

    private static func runBlocking(url: String, count: Int, uploads: Int, ledger: FanOutLedger, stop: Locked<Bool>)
        throws
    {
        let sockets = try (0..<count).map { _ in try LoadSocket.open(url: url) }
        defer { for socket in sockets { socket.sendClose() } }
        var connected = [Bool](repeating: false, count: count)
        var seen = [Int](repeating: 0, count: count)
        var remaining = count
        let clock = ContinuousClock()
        func handle(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>, at now: ContinuousClock.Instant) {
            guard connected[index] else {
                // The first frame on /event is the lifecycle `connect` meta event.
                connected[index] = true
                ledger.connected()
                return
            }
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.contains(#""notice_type":"group_upload""#), let fileID = FanOutScenario.noticeFileID(text)
            else { return }
            ledger.record(fileID, at: now)
            seen[index] += 1
            if seen[index] == uploads { remaining -= 1 }
        }
        for (index, socket) in sockets.enumerated() {
            _ = try socket.receiveBuffered { handle(index, $0, at: clock.now) }
        }
        var polled = sockets.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        var quiet = clock.now
        while remaining > 0 {
            if stop.withLock({ $0 }) { return }
            for index in polled.indices { polled[index].revents = 0 }
            let ready = poll(&polled, nfds_t(polled.count), 1_000)
            if ready < 0 && errno == EINTR { continue }
            guard ready >= 0 else { throw BenchError("poll: \(String(cString: strerror(errno)))") }
            guard ready > 0 else {
                guard clock.now - quiet < .seconds(30) else {
                    throw BenchError("no event frame for 30 s; \(remaining) clients still wait for notices")
                }
                continue
            }
            quiet = clock.now
            for index in polled.indices where polled[index].revents != 0 {
                let open = try sockets[index].receive { handle(index, $0, at: clock.now) }
                guard open else { throw BenchError("the server closed event client \(index)") }
            }
        }
    }
}
