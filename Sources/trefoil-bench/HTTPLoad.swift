import Foundation

/// Closed-loop keep-alive HTTP/1.1 load: each connection sends one request, reads the whole response (head and a
/// `Content-Length` body), and sends the next, until the window ends. One thread per connection, plain blocking
/// sockets and reused buffers, so that the load takes as little of the machine as it can (see `LoadSocket`).
enum HTTPLoad {
    /// Where a load goes: a loopback port, the request heads each connection walks through in turn, and the body
    /// length every answer must have (any when nil).
    struct Target: Sendable {
        let port: Int
        let heads: [String]
        let bytes: Int?

        init(port: Int, heads: [String], bytes: Int?) {
            precondition(!heads.isEmpty, "a load needs at least one request head")
            self.port = port
            self.heads = heads
            self.bytes = bytes
        }

        init(port: Int, head: String, bytes: Int?) { self.init(port: port, heads: [head], bytes: bytes) }
    }

    struct Outcome: Sendable {
        /// Responses completed inside the measured window.
        let completed: Int
        let window: Duration
        let failures: Int
        let firstFailure: String?

        var requestsPerSecond: Double { window.seconds > 0 ? Double(completed) / window.seconds : 0 }
    }

    /// A keep-alive `GET` head for `target` (a path and its query).
    static func getHead(_ target: String) -> String {
        "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    }

    /// The `GET` head for a full URL's path and query: a signed download URL from an upload's answer.
    static func getHead(url: String) throws -> String {
        guard let parts = URLComponents(string: url), !parts.percentEncodedPath.isEmpty else {
            throw BenchError("not a URL with a path: \(url)")
        }
        return getHead(parts.percentEncodedPath + (parts.percentEncodedQuery.map { "?" + $0 } ?? ""))
    }

    /// Runs `connections` connections to `target`, each answer expected to be status 200 with `target.bytes` of body.
    /// Connection `i` starts at head `i × heads.count / connections` and walks the list round, so that concurrent
    /// connections ask for different files.
    static func run(_ target: Target, connections: Int, warmup: Duration, duration: Duration) async throws -> Outcome {
        let clock = ContinuousClock()
        let measureStart = clock.now + warmup
        let end = measureStart + duration
        let heads = target.heads.map { Array($0.utf8) }
        let results = try await withThrowingTaskGroup(of: (Int, Int, String?).self) { group in
            for index in 0..<connections {
                let start = index * heads.count / connections
                group.addTask {
                    try await onOwnThread {
                        try runConnection(
                            port: target.port, requests: heads, first: start, expectedBytes: target.bytes,
                            measureStart: measureStart, end: end)
                    }
                }
            }
            var all: [(Int, Int, String?)] = []
            for try await result in group { all.append(result) }
            return all
        }
        return Outcome(
            completed: results.map(\.0).reduce(0, +), window: duration, failures: results.map(\.1).reduce(0, +),
            firstFailure: results.compactMap(\.2).first)
    }

    /// Requests per second of `request` and of `baseline`, in `windows` alternating windows each (load on one at a
    /// time), each answer checked for status 200 and its expected body length. `connections` defaults to the sizes'
    /// `httpLoadConnections`.
    static func alternating(
        _ context: BenchContext, request: Target, baseline: Target, connections: Int? = nil, windows: Int = 2,
        log: (Double, Double) -> String
    ) async throws -> (figures: [Double], baseline: [Double]) {
        let sizes = context.sizes
        var figures: [Double] = []
        var reference: [Double] = []
        for _ in 0..<windows {
            for (index, target) in [request, baseline].enumerated() {
                let outcome = try await run(
                    target, connections: connections ?? sizes.httpLoadConnections,
                    warmup: .seconds(sizes.warmupSeconds), duration: .seconds(sizes.httpLoadSeconds))
                guard outcome.failures == 0 else {
                    throw BenchError("\(outcome.failures) failed requests: \(outcome.firstFailure ?? "")")
                }
                if index == 0 {
                    figures.append(outcome.requestsPerSecond)
                } else {
                    reference.append(outcome.requestsPerSecond)
                }
            }
            context.log(log(figures.last!, reference.last!))
        }
        return (figures, reference)
    }

    /// One response to one request on a connection of its own.
    struct Fetch: Sendable {
        let status: Int
        /// Body bytes read (the answer's `Content-Length`, every one of them read).
        let bytes: Int
        let started: ContinuousClock.Instant
        let finished: ContinuousClock.Instant
    }

    /// Sends every head in `heads` at once, each on a connection and a thread of its own, and reads each whole
    /// answer: for concurrent large downloads, timed from the first connect to the last byte.
    static func fetchAll(port: Int, heads: [String]) async throws -> [Fetch] {
        try await withThrowingTaskGroup(of: (Int, Fetch).self) { group in
            for (index, head) in heads.enumerated() {
                group.addTask {
                    try await onOwnThread {
                        // Large reads: one syscall per MiB rather than per 64 KiB.
                        var buffer = [UInt8](repeating: 0, count: 1 << 20)
                        let clock = ContinuousClock()
                        let started = clock.now
                        let fd = try connectLoopback(port: port)
                        defer { close(fd) }
                        try writeAll(fd, Array(head.utf8))
                        let (status, bytes) = try readResponse(fd, &buffer)
                        return (index, Fetch(status: status, bytes: bytes, started: started, finished: clock.now))
                    }
                }
            }
            var fetches: [Fetch?] = Array(repeating: nil, count: heads.count)
            for try await (index, fetch) in group { fetches[index] = fetch }
            return fetches.map { $0! }
        }
    }

    /// One connection's loop: (completed in the window, failures, the first failure).
    private static func runConnection(
        port: Int, requests: [[UInt8]], first: Int, expectedBytes: Int?, measureStart: ContinuousClock.Instant,
        end: ContinuousClock.Instant
    ) throws -> (Int, Int, String?) {
        let fd = try connectLoopback(port: port)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var completed = 0
        var failures = 0
        var firstFailure: String?
        let clock = ContinuousClock()
        var next = first
        while clock.now < end {
            try writeAll(fd, requests[next])
            next = (next + 1) % requests.count
            let (status, bodyBytes) = try readResponse(fd, &buffer)
            if status != 200 || (expectedBytes.map { bodyBytes != $0 } ?? false) {
                failures += 1
                if firstFailure == nil { firstFailure = "HTTP \(status) with \(bodyBytes) bytes" }
            } else if clock.now >= measureStart {
                completed += 1
            }
        }
        return (completed, failures, firstFailure)
    }

    /// Fetches each of `heads` in turn on one keep-alive connection; returns each answer's status and body, to check
    /// what a load will ask for before it runs.
    static func bodies(port: Int, heads: [String]) async throws -> [(status: Int, body: [UInt8])] {
        try await onOwnThread {
            let fd = try connectLoopback(port: port)
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            return try heads.map { head in
                try writeAll(fd, Array(head.utf8))
                var body: [UInt8]? = []
                let (status, _) = try readResponse(fd, &buffer, keeping: &body)
                return (status, body ?? [])
            }
        }
    }

    /// Reads one response; returns its status and how many body bytes came.
    private static func readResponse(_ fd: Int32, _ buffer: inout [UInt8]) throws -> (Int, Int) {
        var ignored: [UInt8]? = nil
        return try readResponse(fd, &buffer, keeping: &ignored)
    }

    /// Reads one response; returns its status and how many body bytes came, and appends them to `body` unless it is
    /// nil.
    private static func readResponse(_ fd: Int32, _ buffer: inout [UInt8], keeping body: inout [UInt8]?) throws -> (
        Int, Int
    ) {
        var filled = 0
        var headEnd: Int?
        while headEnd == nil {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            guard count > 0 else { throw BenchError("the server closed the connection") }
            filled += count
            headEnd = buffer[0..<filled].firstRange(of: [13, 10, 13, 10])?.upperBound
            if headEnd == nil, filled == buffer.count { throw BenchError("a response head over 64 KiB") }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        let length =
            head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        body?.append(contentsOf: buffer[headEnd!..<filled])
        var remaining = length - (filled - headEnd!)
        while remaining > 0 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, min($0.count, remaining)) }
            guard count > 0 else { throw BenchError("the server closed the connection mid-body") }
            body?.append(contentsOf: buffer[0..<count])
            remaining -= count
        }
        return (status, length)
    }

    private static func connectLoopback(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw BenchError("connect to port \(port): \(String(cString: strerror(errno)))")
        }
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            guard count > 0 else { throw BenchError("write: \(String(cString: strerror(errno)))") }
            offset += count
        }
    }
}
