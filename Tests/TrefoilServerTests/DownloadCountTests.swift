import Foundation
import HTTPTypes
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

/// `download_times` is counted in memory and written in one transaction per `download.count_flush_interval_ms`
/// and at shutdown, not once per download.
@Suite("Download counts", .timeLimit(.minutes(3)), .stopsLiveServers)
struct DownloadCountTests {
    /// Uploads one file into group 4; returns its id and the path of its signed link.
    func upload(_ server: LiveServer) async throws -> (id: String, path: String) {
        let data = try await HTTPCaller(server: server).ok(
            "upload_group_file",
            ["group_id": 4, "file": .string(base64(pseudoRandomBytes(5000))), "name": "counted.bin"])
        let url = try #require(data["url"]?.stringValue)
        return (try #require(data["file_id"]?.stringValue), String(url.dropFirst(server.base.count)))
    }

    func downloadTimes(_ server: LiveServer, _ id: String) async throws -> Int64? {
        let listing = try await HTTPCaller(server: server).ok("get_group_root_files", ["group_id": 4])
        return listing["files"]?.arrayValue?.first { $0["file_id"] == .string(id) }?["download_times"]?.intValue
    }

    @Test(
        "600 downloads of Range: bytes=0-0 run no write transaction; a clean shutdown writes the exact count in one")
    func rangeDownloadsWriteNothingUntilShutdown() async throws {
        // An interval longer than the test: only the shutdown flushes.
        let server = try await LiveServer.start { $0.download.countFlushIntervalMS = 600_000 }
        let tree = server.gateway.tree
        // On a fresh store the janitor's start-up pass is the first write; its next one is a minute away.
        for _ in 0..<400 where tree.usage.generation == 0 { try await Task.sleep(for: .milliseconds(50)) }
        try #require(tree.usage.generation > 0)
        let (id, path) = try await upload(server)
        let writesBefore = tree.usage.generation
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let client = server.client()
                    for _ in 0..<150 {
                        let response = try await client.execute(
                            .init(path, method: .get, headers: [.range: "bytes=0-0"]))
                        #expect(response.status == .partialContent)
                        #expect(response.body?.readableBytes == 1)
                    }
                    try await client.shutdown()
                }
            }
            try await group.waitForAll()
        }
        // A HEAD and a later range are no downloads.
        #expect(try await server.request(path, method: .head).status == .ok)
        #expect(try await server.request(path, headers: [.range: "bytes=1-"]).status == .partialContent)
        #expect(tree.usage.generation == writesBefore, "write transactions ran for downloads")
        #expect(try await downloadTimes(server, id) == 0)
        await server.stop()

        let reopened = try await LiveServer.start(root: server.root)
        #expect(try await downloadTimes(reopened, id) == 600)
        await reopened.stop()
        reopened.removeFiles()
    }

    @Test("a download shows in listings within download.count_flush_interval_ms, counted exactly")
    func countsReachListingsAfterTheInterval() async throws {
        let server = try await LiveServer.start { $0.download.countFlushIntervalMS = 200 }
        let (id, path) = try await upload(server)
        for _ in 0..<7 { #expect(try await server.request(path).status == .ok) }
        var seen: Int64? = 0
        // 200 ms is the promise; 20 s only keeps a busy machine from failing it.
        for _ in 0..<200 where seen != 7 {
            try await Task.sleep(for: .milliseconds(100))
            seen = try await downloadTimes(server, id)
        }
        #expect(seen == 7)
        await server.stop()
        server.removeFiles()
    }
}
