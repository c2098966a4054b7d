import Hummingbird
import NIOCore
import Testing

@testable import TrefoilServer

@Suite("SafeFetcher streaming", .timeLimit(.minutes(3)))
struct SafeFetcherStreamingTests {
    private actor Flag {
        private(set) var isSet = false
        func set() { self.isSet = true }
    }

    @Test("A 64 MiB download streams as many small buffers, with back-pressure while the consumer pauses")
    func largeDownloadStreamsWithBoundedBuffers() async throws {
        let total = 64 << 20
        let chunk = ByteBuffer(bytes: fetchTestBytes(count: 64 << 10))
        try await withFetchTestServer(
            makeFetchTestRouter { router in
                router.get("/huge") { _, _ in
                    Response(
                        status: .ok,
                        body: ResponseBody(contentLength: total) { writer in
                            for _ in 0..<(total / chunk.readableBytes) { try await writer.write(chunk) }
                            try await writer.finish(nil)
                        })
                }
            }
        ) { port in
            let before = peakResidentKiB()
            let response = try await makeTestFetcher(allowList: ["127.0.0.1"]).get("http://127.0.0.1:\(port)/huge")
            #expect(response.contentLength == Int64(total))
            var received = 0
            var buffers = 0
            var largest = 0
            var paused = false
            for try await buffer in response.body {
                received += buffer.readableBytes
                buffers += 1
                largest = max(largest, buffer.readableBytes)
                if !paused, received > 1 << 20 {
                    // Without back-pressure the rest of the body would pile up in memory during this pause.
                    paused = true
                    try? await Task.sleep(for: .milliseconds(300))
                }
            }
            let after = peakResidentKiB()
            print(
                "64 MiB download: \(buffers) buffers, largest \(largest) bytes, "
                    + "VmHWM before \(before.map { "\($0) KiB" } ?? "n/a"), after \(after.map { "\($0) KiB" } ?? "n/a")"
            )
            #expect(received == total)
            #expect(buffers >= 64)
            #expect(largest <= 512 << 10)
        }
    }

    @Test("A consumer pausing longer than the timeout is not mistaken for a stalled server")
    func slowConsumerDoesNotTimeOut() async throws {
        let payload = fetchTestBytes(count: 4 << 20)
        try await withFetchTestServer(
            makeFetchTestRouter { router in
                router.get("/file") { _, _ in
                    Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: payload)))
                }
            }
        ) { port in
            // Margins wide enough for a loaded 2-core machine: the server only has to keep sending within
            // 4 s, while the consumer pauses 2.5 times as long (2 s once failed with both cores busy).
            let fetcher = makeTestFetcher(allowList: ["127.0.0.1"], timeout: .seconds(4))
            let response = try await fetcher.get("http://127.0.0.1:\(port)/file")
            var received: [UInt8] = []
            for try await buffer in response.body {
                if received.isEmpty { try? await Task.sleep(for: .seconds(10)) }
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
