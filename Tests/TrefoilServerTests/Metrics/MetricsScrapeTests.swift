import Foundation
import HTTPTypes
import NIOCore
import Testing
import TrefoilJSON
import TrefoilTestSupport

@testable import TrefoilServer

/// A scrape after a known sequence of calls counts exactly what happened: actions by retcode, uploads by source,
/// downloads, requests by route, WebSocket connections and events, a webhook target that cannot be reached, the
/// store, the process.
@Suite("Metrics: what a scrape counts", .timeLimit(.minutes(3)), .stopsLiveServers)
struct MetricsScrapeTests {
    static let token = "metrics-token"
    static let group: Int64 = 7

    /// What the sequence did, for the checks.
    struct Sequence: Sendable {
        let server: LiveServer
        /// The webhook target, as its label reads.
        let hook: String
        /// The retcode of the failing call.
        let failedRetcode: Int64
        let sizes: (multipart: Int, raw: Int, base64: Int)
        /// Still open, so that the connection gauge has something to count.
        let session: WSSession
    }

    /// A server with the token, a forward WebSocket client and a webhook target where nothing listens, then: one
    /// call that succeeds, one that fails, one to an action that does not exist, a multipart, a raw and a base64
    /// upload, and a download through a signed link.
    static func runSequence() async throws -> Sequence {
        let closedPort = try freePort()
        let hook = "http://127.0.0.1:\(closedPort)/hook"
        // One attempt per event: the window is over before the first pause.
        let server = try await LiveServer.start(token: token) {
            $0.onebot11.httpPost = [.init(url: hook + "?secret=kept-out", timeoutMS: 2000, retryWindowMS: 1)]
        }
        let session = WSSession(port: server.port, headers: [.authorization: "Bearer \(token)"])
        _ = try await session.next { $0.isLifecycleConnect }

        #expect(try await server.call("get_status").isOK)
        let failed = try await server.call("delete_group_file", ["group_id": .int(group), "file_id": "/nothing-here"])
        #expect(failed.status == "failed")
        let unknown = try await server.request(
            "/no_such_action", method: .post, headers: authorized([.contentType: "application/json"]),
            body: ByteBuffer(string: "{}"))
        #expect(unknown.status == .notFound)

        let sizes = (multipart: 1000, raw: 2000, base64: 300)
        let boundary = "metrics-boundary"
        let multipart = try await server.request(
            "/upload_group_file", method: .post,
            headers: authorized([.contentType: "multipart/form-data; boundary=\(boundary)"]),
            body: multipartBody(
                [
                    ("group_id", String(group), nil),
                    ("file", nil, (name: "form.bin", bytes: pseudoRandomBytes(sizes.multipart, seed: 1))),
                ], boundary: boundary))
        let stored = try Envelope(multipart.body ?? .init())
        #expect(stored.isOK, "\(stored)")
        let raw = try await server.request(
            "/upload_group_file?group_id=\(group)&name=raw.bin", method: .put,
            headers: authorized([.contentType: "application/octet-stream"]),
            body: ByteBuffer(bytes: pseudoRandomBytes(sizes.raw, seed: 2)))
        #expect(try Envelope(raw.body ?? .init()).isOK)
        let inline = Data(pseudoRandomBytes(sizes.base64, seed: 3)).base64EncodedString()
        #expect(
            try await server.call(
                "upload_group_file",
                ["group_id": .int(group), "file": .string("base64://" + inline), "name": "inline.bin"]
            ).isOK)

        let url = try #require(stored.string("url"))
        let link = try #require(URLComponents(string: url))
        let download = try await server.request(link.percentEncodedPath + "?" + (link.percentEncodedQuery ?? ""))
        #expect(download.status == .ok)
        #expect(download.body?.readableBytes == sizes.multipart)

        for name in ["form.bin", "raw.bin", "inline.bin"] {
            _ = try await session.next {
                $0.json["notice_type"] == "group_upload" && $0.json["file"]?["name"] == .string(name)
            }
        }
        return Sequence(
            server: server, hook: hook, failedRetcode: try #require(failed.retcode), sizes: sizes, session: session)
    }

    static func authorized(_ headers: HTTPFields) -> HTTPFields {
        var headers = headers
        headers[.authorization] = "Bearer \(token)"
        return headers
    }

    /// Scrapes once everything the sequence set going has been counted: the events the forward client got and the
    /// webhook's four failed deliveries (lifecycle `enable` and three `group_upload`).
    static func settledScrape(_ sequence: Sequence) async throws -> ScrapedMetrics {
        try await sequence.server.scrape { metrics in
            metrics["trefoil_events_sent_total", ["kind": "forward_ws"]] == 4
                && metrics["trefoil_webhook_dropped_total", ["target": sequence.hook]] == 4
        }
    }

    @Test("actions are counted by catalog name and retcode, and timed; an unknown name counts as unknown")
    func actions() async throws {
        let sequence = try await Self.runSequence()
        let metrics = try await Self.settledScrape(sequence)
        let actions = "trefoil_onebot_actions_total"
        #expect(metrics[actions, ["action": "get_status", "retcode": "0"]] == 1, "\(metrics)")
        #expect(metrics[actions, ["action": "delete_group_file", "retcode": "\(sequence.failedRetcode)"]] == 1)
        #expect(metrics[actions, ["action": "unknown", "retcode": "1404"]] == 1)
        #expect(metrics[actions, ["action": "upload_group_file", "retcode": "0"]] == 3)
        #expect(metrics.sum(actions) == 6)
        let durations = "trefoil_onebot_action_duration_seconds"
        #expect(metrics[durations + "_count", ["action": "upload_group_file"]] == 3)
        #expect(metrics[durations + "_bucket", ["action": "upload_group_file", "le": "+Inf"]] == 3)
        #expect(metrics.sum(durations + "_count") == 6)
    }

    @Test("uploads are counted by face and source with their bytes; a signed-link download with its bytes")
    func transfers() async throws {
        let sequence = try await Self.runSequence()
        let metrics = try await Self.settledScrape(sequence)
        let sizes = sequence.sizes
        for (source, bytes) in [("multipart", sizes.multipart), ("raw", sizes.raw), ("base64", sizes.base64)] {
            let labels = ["face": "onebot11", "source": source]
            #expect(metrics["trefoil_uploads_total", labels] == 1, "\(source)\n\(metrics)")
            #expect(metrics["trefoil_upload_bytes_total", labels] == Double(bytes), "\(source)")
        }
        #expect(metrics.sum("trefoil_uploads_total") == 3)
        #expect(metrics["trefoil_downloads_total", ["face": "onebot11", "kind": "file"]] == 1)
        #expect(
            metrics["trefoil_download_bytes_total", ["face": "onebot11", "kind": "file"]] == Double(sizes.multipart))
        #expect(metrics.sum("trefoil_downloads_total") == 1)
    }

    @Test("requests are counted by face, route pattern and status, downloads among them")
    func requests() async throws {
        let sequence = try await Self.runSequence()
        let metrics = try await Self.settledScrape(sequence)
        let requests = "trefoil_http_requests_total"
        // get_status, delete_group_file (a failed envelope is still 200) and the three uploads.
        #expect(metrics[requests, ["face": "onebot11", "route": "/{action}", "status": "200"]] == 5, "\(metrics)")
        #expect(metrics[requests, ["face": "onebot11", "route": "/{action}", "status": "404"]] == 1)
        #expect(metrics[requests, ["face": "onebot11", "route": "download", "status": "200"]] == 1)
        // A scrape counts itself once it is answered: the next one shows it.
        let next = try await sequence.server.scrape()
        #expect((next[requests, ["face": "gateway", "route": "/metrics", "status": "200"]] ?? 0) >= 1)
        #expect(!metrics.samples.contains { $0.name == requests && $0.labels["route"]?.contains("no_such") == true })
    }

    @Test("WebSocket connections by direction and role, and the events each kind of channel sent and lost")
    func connectionsAndEvents() async throws {
        let sequence = try await Self.runSequence()
        let metrics = try await Self.settledScrape(sequence)
        let connections = "trefoil_websocket_connections"
        #expect(metrics[connections, ["direction": "forward", "role": "universal"]] == 1, "\(metrics)")
        #expect(metrics.sum(connections) == 1)
        // The lifecycle `connect` and three `group_upload` notices.
        #expect(metrics["trefoil_events_sent_total", ["kind": "forward_ws"]] == 4)
        #expect(metrics["trefoil_events_dropped_total", ["kind": "forward_ws"]] == 0)
        #expect(metrics["trefoil_events_sent_total", ["kind": "http_post"]] == 0)
        #expect(metrics["trefoil_events_dropped_total", ["kind": "http_post"]] == 4)

        await sequence.session.close()
        let closed = try await sequence.server.scrape { $0.sum(connections) == 0 }
        #expect(closed[connections, ["direction": "forward", "role": "universal"]] == 0)
    }

    @Test("a webhook target that cannot be reached: every attempt failed, nothing delivered, every event dropped")
    func failingWebhook() async throws {
        let sequence = try await Self.runSequence()
        let metrics = try await Self.settledScrape(sequence)
        // Labelled by its URL without the query, where a secret may sit.
        let target = ["target": sequence.hook]
        #expect(metrics["trefoil_webhook_deliveries_total", target] == 0, "\(metrics)")
        #expect(metrics["trefoil_webhook_failures_total", target] == 4)
        #expect(metrics["trefoil_webhook_retries_total", target] == 0)
        #expect(metrics["trefoil_webhook_dropped_total", target] == 4)
        #expect(metrics["trefoil_webhook_queue_depth", target] == 0)
        #expect(!metrics.text.contains("kept-out"))
    }

    @Test("the store's totals and the process are read at scrape time")
    func storeAndProcess() async throws {
        let sequence = try await Self.runSequence()
        let metrics = try await Self.settledScrape(sequence)
        let sizes = sequence.sizes
        #expect(metrics["trefoil_store_spaces", ["kind": "group"]] == 1, "\(metrics)")
        #expect(metrics["trefoil_store_files"] == 3)
        #expect(metrics["trefoil_store_file_bytes"] == Double(sizes.multipart + sizes.raw + sizes.base64))
        #expect(metrics["trefoil_store_blobs"] == 3)
        #expect(metrics["trefoil_store_dedup_saved_bytes"] == 0)
        #expect(metrics["trefoil_store_temp_files"] == 0)
        #expect((metrics["trefoil_store_disk_free_bytes"] ?? 0) > 0)
        #expect((metrics["process_resident_memory_bytes"] ?? 0) > 1_048_576)
        #expect((metrics["process_open_fds"] ?? 0) > 0)
        #expect(metrics["process_start_time_seconds"] == Double(sequence.server.gateway.startedAt))
        #expect((metrics["trefoil_uptime_seconds"] ?? -1) >= 0)
    }

    @Test("a second upload of the same bytes counts as saved by deduplication")
    func dedupSavings() async throws {
        let server = try await LiveServer.start(token: Self.token)
        let content = "base64://" + Data(pseudoRandomBytes(4096, seed: 9)).base64EncodedString()
        for name in ["one.bin", "two.bin"] {
            #expect(
                try await server.call(
                    "upload_group_file",
                    ["group_id": .int(Self.group), "file": .string(content), "name": .string(name)]
                ).isOK)
        }
        let metrics = try await server.scrape()
        #expect(metrics["trefoil_store_files"] == 2)
        #expect(metrics["trefoil_store_blobs"] == 1)
        #expect(metrics["trefoil_store_dedup_saved_bytes"] == 4096)
        #expect(metrics["trefoil_uploads_total", ["face": "onebot11", "source": "base64"]] == 2)
    }
}
