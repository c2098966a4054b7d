import Foundation
import Hummingbird
import OneBotV11
import Testing
import TrefoilJSON
import TrefoilTestSupport

/// `_async` and `_rate_limited` work is held from acceptance to its end; `server.max_background_actions` and
/// `server.max_background_bytes` bound it, and a request over either bound is refused at once, never queued.
@Suite("Background queue bounds", .timeLimit(.minutes(3)), .stopsLiveServers)
struct BackgroundQueueTests {
    /// Holds every request to the origin until opened.
    private actor Gate {
        private var isOpen = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func wait() async {
            if isOpen { return }
            await withCheckedContinuation { waiting.append($0) }
        }

        func open() {
            isOpen = true
            for continuation in waiting { continuation.resume() }
            waiting = []
        }
    }

    @Test(
        "past max_background_actions or max_background_bytes an _async or _rate_limited call fails with 36000 BACKGROUND_QUEUE_FULL, and is accepted again once the held work ends"
    )
    func boundedQueue() async throws {
        let gate = Gate()
        let payload = pseudoRandomBytes(1000, seed: 7)
        let router = makeFetchTestRouter { router in
            router.get("/slow/:n") { _, _ in
                await gate.wait()
                return Response(status: .ok, body: .init(byteBuffer: .init(bytes: payload)))
            }
        }
        try await withFetchTestServer(router) { originPort in
            let server = try await LiveServer.start {
                $0.upload.allowPrivateNetworks = true
                $0.server.maxBackgroundActions = 3
                $0.server.maxBackgroundBytes = 65_536
            }
            let bot = WSSession(port: server.port, path: "/api")
            func slowUpload(_ n: Int, padding: Int = 0) -> JSONValue {
                [
                    "group_id": 8, "file": .string("http://127.0.0.1:\(originPort)/slow/\(n)"),
                    "name": .string("slow \(n).bin"), "padding": .string(String(repeating: "p", count: padding)),
                ]
            }

            // 40 kB held by the first: a second one that size passes the byte bound, though only one action waits.
            let first = try await bot.call("upload_group_file_async", slowUpload(1, padding: 40_000), echo: "first")
            #expect(first.status == "async" && first.retcode == 1 && first.echo == "first", "\(first)")
            let overBytes = try await bot.call(
                "upload_group_file_async", slowUpload(2, padding: 40_000), echo: ["n": 2])
            #expect(overBytes.status == "failed", "\(overBytes)")
            #expect(overBytes.retcode == 36000)
            #expect(overBytes.msg == "BACKGROUND_QUEUE_FULL")
            #expect(overBytes.data == .null)
            #expect(overBytes.echo == ["n": 2])
            #expect(overBytes.message?.contains("server.max_background_bytes") == true, "\(overBytes)")

            for n in [3, 4] {
                let accepted = try await bot.call("upload_group_file_async", slowUpload(n))
                #expect(accepted.status == "async", "\(accepted)")
            }
            // Three held: the count bound refuses any fourth, rate-limited or not, whatever its size.
            for action in ["get_status_async", "upload_group_file_rate_limited"] {
                let refused = try await bot.fails(action, slowUpload(5), retcode: 36000, msg: "BACKGROUND_QUEUE_FULL")
                #expect(refused.contains("server.max_background_actions (3)"), "\(refused)")
            }
            // A request larger than the whole byte bound could never be taken.
            let huge = try await bot.fails(
                "upload_group_file_async",
                ["group_id": 8, "file": .string(base64(pseudoRandomBytes(100_000))), "name": "huge"],
                retcode: 36000, msg: "BACKGROUND_QUEUE_FULL")
            #expect(huge.contains("larger than server.max_background_bytes (65536)"), "\(huge)")
            // Actions without a suffix never queue, so they are not refused.
            #expect(try await bot.call("get_status", [:]).isOK)

            await gate.open()
            var names: Set<String> = []
            for _ in 0..<500 where names.count < 3 {
                let listing = try await bot.ok("get_group_root_files", ["group_id": 8])
                names = Set(listing["files"]?.arrayValue?.compactMap { $0["file_name"]?.stringValue } ?? [])
                if names.count < 3 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(names == ["slow 1.bin", "slow 3.bin", "slow 4.bin"])
            // The slots free as each job returns, just after its upload commits.
            var again = try await bot.call("upload_group_file_async", slowUpload(6, padding: 40_000))
            for _ in 0..<500 where again.status != "async" {
                try await Task.sleep(for: .milliseconds(20))
                again = try await bot.call("upload_group_file_async", slowUpload(6, padding: 40_000))
            }
            #expect(again.status == "async", "\(again)")
            await bot.close()
            await server.stop()
            server.removeFiles()
        }
    }
}
