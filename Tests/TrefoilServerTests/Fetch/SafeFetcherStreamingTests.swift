import Foundation
import Hummingbird
import NIOCore
import Synchronization
import Testing
import TrefoilTestSupport

@testable import TrefoilServer

@Suite("SafeFetcher streaming", .timeLimit(.minutes(3)))
struct SafeFetcherStreamingTests {
    private actor Flag {
        private(set) var isSet = false
        func set() { self.isSet = true }
    }

    /// Bytes an origin's kernel accepted for sending, counted from the origin's thread.
    private final class SentBytes: Sendable {
        let count = Atomic<Int>(0)
    }

    @Test(
        "A large download streams as many small buffers, and a paused consumer leaves the rest in the kernel's buffers"
    )
    func largeDownloadStreamsWithBoundedBuffers() async throws {
        // The origin writes with blocking send(2), so what it has sent minus what the consumer has read is what
        // sits between them: the two sockets' kernel buffers and whatever the fetcher holds. With back-pressure the
        // fetcher holds at most a few socket reads (8 buffers of at most 64 KiB) and the rest waits in the kernel;
        // without it, the fetcher would read everything into memory during the pause.
        let receiveBufferMax = try #require(Self.tcpReceiveBufferMax())
        let bound = receiveBufferMax + (8 << 20)
        let chunk = pseudoRandomBytes(64 << 10)
        let total = max(64 << 20, (2 * bound / chunk.count + 1) * chunk.count)
        let listener = try loopbackListener()
        defer { close(listener.fd) }
        let sent = SentBytes()
        let origin = Thread {
            let connection = accept(listener.fd, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            _ = readFromSocket(connection) { $0.ends(with: Array("\r\n\r\n".utf8)) }
            guard (try? sendAll(connection, Array("HTTP/1.1 200 OK\r\nContent-Length: \(total)\r\n\r\n".utf8))) != nil
            else { return }
            for _ in 0..<(total / chunk.count) {
                guard (try? sendAll(connection, chunk)) != nil else { return }
                sent.count.add(chunk.count, ordering: .relaxed)
            }
        }
        origin.start()

        let response = try await makeTestFetcher(allowList: ["127.0.0.1"]).get("http://127.0.0.1:\(listener.port)/huge")
        #expect(response.contentLength == Int64(total))
        var received = 0
        var buffers = 0
        var largest = 0
        var inFlightAfterPause: Int?
        for try await buffer in response.body {
            received += buffer.readableBytes
            buffers += 1
            largest = max(largest, buffer.readableBytes)
            if inFlightAfterPause == nil, received > 1 << 20 {
                try? await Task.sleep(for: .milliseconds(500))
                inFlightAfterPause = sent.count.load(ordering: .relaxed) - received
            }
        }
        #expect(received == total)
        #expect(buffers >= 64)
        #expect(largest <= 512 << 10)
        let inFlight = try #require(inFlightAfterPause)
        #expect(inFlight <= bound, "\(inFlight) bytes sent but not read after a 500 ms pause (bound \(bound))")
    }

    /// The largest a TCP receive buffer may grow (`net.ipv4.tcp_rmem`'s third figure), which bounds what the
    /// kernel holds for a consumer that stopped reading.
    private static func tcpReceiveBufferMax() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/tcp_rmem", encoding: .utf8) else {
            return nil
        }
        return text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).last.flatMap { Int($0) }
    }

    @Test("A consumer pausing longer than the timeout is not mistaken for a stalled server")
    func slowConsumerDoesNotTimeOut() async throws {
        let payload = pseudoRandomBytes(4 << 20)
        try await withFetchTestServer(
            makeFetchTestRouter { router in
                router.get("/file") { _, _ in
                    Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: payload)))
                }
            }
        ) { port in
            // Margins wide enough for a loaded 2-core machine: the server only has to keep sending within
            // 8 s, while the consumer pauses 2.5 times as long (2 s once failed with both cores busy, and 4 s in a
            // CI dry run of a full suite on a slower host).
            let fetcher = makeTestFetcher(allowList: ["127.0.0.1"], timeout: .seconds(8))
            let response = try await fetcher.get("http://127.0.0.1:\(port)/file")
            var received: [UInt8] = []
            for try await buffer in response.body {
                if received.isEmpty { try? await Task.sleep(for: .seconds(20)) }
                received.append(contentsOf: buffer.readableBytesView)
            }
            #expect(received == payload)
        }
    }

    @Test("A body that trickles in a byte every 200 ms fails at the total time limit, though it never idles")
    func tricklingBodyHitsTheTotalTimeLimit() async throws {
        try await withFetchTestServer(makeFetchTestRouter { addTrickleRoute($0) }) { port in
            let fetcher = makeTestFetcher(allowList: ["127.0.0.1"], timeout: .seconds(10), totalTimeout: .seconds(2))
            let clock = ContinuousClock()
            let started = clock.now
            let error = await fetchError {
                let response = try await fetcher.get("http://127.0.0.1:\(port)/trickle")
                return try await drainFetchBody(response.body)
            }
            #expect(error == .failed("did not complete within the total time limit of 2000 ms"))
            // The trickle alone lasts a minute; the bound is wide for a busy machine.
            #expect(clock.now - started < .seconds(30))
        }
    }

    @Test("Dropping the body closes the connection")
    func droppingBodyClosesConnection() async throws {
        let serverSawClose = Flag()
        let chunk = ByteBuffer(repeating: 0x5A, count: 64 << 10)
        try await withFetchTestServer(
            makeFetchTestRouter { router in
                router.get("/endless") { _, _ in
                    Response(
                        status: .ok,
                        body: ResponseBody { writer in
                            do {
                                for _ in 0..<16_384 { try await writer.write(chunk) }
                                try await writer.finish(nil)
                            } catch {
                                await serverSawClose.set()
                                throw error
                            }
                        })
                }
            }
        ) { port in
            do {
                let response = try await makeTestFetcher(allowList: ["127.0.0.1"]).get(
                    "http://127.0.0.1:\(port)/endless")
                var iterator = response.body.makeAsyncIterator()
                _ = try await iterator.next()
            }
            for _ in 0..<100 where await !serverSawClose.isSet {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(await serverSawClose.isSet)
        }
    }

    @Test("Cancelling the task that iterates the body fails the iteration and closes the connection")
    func cancellingIterationCloses() async throws {
        let chunk = ByteBuffer(repeating: 0x33, count: 64 << 10)
        try await withFetchTestServer(
            makeFetchTestRouter { router in
                router.get("/slow") { _, _ in
                    Response(
                        status: .ok,
                        body: ResponseBody { writer in
                            try await writer.write(chunk)
                            try await Task.sleep(for: .seconds(3))
                            try await writer.finish(nil)
                        })
                }
            }
        ) { port in
            let response = try await makeTestFetcher(allowList: ["127.0.0.1"]).get("http://127.0.0.1:\(port)/slow")
            let task = Task { () async -> FetchError? in
                await fetchError { try await drainFetchBody(response.body) }
            }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            let error = await task.value
            #expect(error == .failed("cancelled"))
        }
    }
}
