import Foundation
import HTTPTypes
import Testing
import TrefoilCore
import TrefoilJSON
import TrefoilTestSupport

@testable import TrefoilServer

/// What the other sources put in a scrape: reverse WebSocket targets, another face's uploads and requests, and the
/// maintenance log's passes.
@Suite("Metrics: reverse connections, other faces, maintenance", .timeLimit(.minutes(3)), .stopsLiveServers)
struct MetricsSourcesTests {
    @Test("a reverse WebSocket target reads connected and gets its events counted; one where nothing listens reads 0")
    func reverseWebSocket() async throws {
        let bot = try await FakeBot()
        let live = "ws://127.0.0.1:\(bot.port)/ws"
        let dead = "ws://127.0.0.1:\(try freePort())/ws"
        let server = try await LiveServer.start {
            $0.onebot11.reverseWS = [
                .init(url: live, role: .universal, reconnectIntervalMS: 200),
                .init(url: dead, role: .universal, reconnectIntervalMS: 200),
            ]
        }
        let connection = try await bot.connectedConnection()
        #expect(
            try await server.call("upload_group_file", ["group_id": 3, "file": "base64://aGk=", "name": "hi"]).isOK)
        _ = try await connection.frames.first(
            matching: { $0.json["notice_type"] == "group_upload" }, timeout: .seconds(10))

        let metrics = try await server.scrape { metrics in
            metrics["trefoil_events_sent_total", ["kind": "reverse_ws"]] == 2
                && (metrics["trefoil_reverse_websocket_failures_total", ["target": dead]] ?? 0) >= 1
        }
        #expect(
            metrics["trefoil_reverse_websocket_connected", ["target": live, "role": "universal"]] == 1, "\(metrics)")
        #expect(metrics["trefoil_reverse_websocket_connected", ["target": dead, "role": "universal"]] == 0)
        #expect(metrics["trefoil_reverse_websocket_failures_total", ["target": live]] == 0)
        #expect(metrics["trefoil_websocket_connections", ["direction": "reverse", "role": "universal"]] == 1)
        // The lifecycle `connect` and the one `group_upload`.
        #expect(metrics["trefoil_events_sent_total", ["kind": "reverse_ws"]] == 2)
        #expect(metrics["trefoil_events_sent_total", ["kind": "forward_ws"]] == 0)
        await server.stop()
        await bot.stop()
    }

    @Test("an Easemob chat file is counted under the easemob face, with its request's route pattern")
    func easemobUpload() async throws {
        let easemob = try await EasemobServer.start()
        let token = try await easemob.token()
        let answer = try await easemob.upload("/chatfiles", name: "a.bin", bytes: pseudoRandomBytes(700), token: token)
        #expect(answer.status == .ok, "\(answer)")
        let metrics = try await easemob.server.scrape()
        #expect(metrics["trefoil_uploads_total", ["face": "easemob", "source": "multipart"]] == 1, "\(metrics)")
        #expect(metrics["trefoil_upload_bytes_total", ["face": "easemob", "source": "multipart"]] == 700)
        #expect(metrics.sum("trefoil_uploads_total", ["face": "onebot11"]) == 0)
        #expect(
            metrics[
                "trefoil_http_requests_total", ["face": "easemob", "route": "/acme/chat/chatfiles", "status": "200"]]
                == 1)
        #expect(metrics["trefoil_store_spaces", ["kind": "app"]] == 1)
    }

    @Test("maintenance passes advance the counters by what they removed since the last scrape")
    func maintenance() async throws {
        let server = try await LiveServer.start()
        let before = try await server.scrape()
        let log = server.gateway.tree.maintenance
        let janitorRuns = before["trefoil_maintenance_runs_total", ["kind": "janitor"]] ?? -1
        let startupRuns = before["trefoil_maintenance_runs_total", ["kind": "startup"]] ?? -1
        #expect(startupRuns == 1, "\(before)")
        let expired = before["trefoil_maintenance_removed_total", ["what": "expired_files"]] ?? -1
        let collected = before["trefoil_maintenance_removed_total", ["what": "collected_blobs"]] ?? -1
        let failures = before["trefoil_maintenance_failures_total"] ?? -1

        log.record(
            .init(
                kind: .janitor, startedAt: 1_900_000_000, durationSeconds: 0.25, expiredFiles: 3, collectedBlobs: 2,
                error: "disk I/O error"))
        let after = try await server.scrape()
        #expect(after["trefoil_maintenance_runs_total", ["kind": "janitor"]] == janitorRuns + 1, "\(after)")
        #expect(after["trefoil_maintenance_runs_total", ["kind": "startup"]] == startupRuns)
        #expect(after["trefoil_maintenance_removed_total", ["what": "expired_files"]] == expired + 3)
        #expect(after["trefoil_maintenance_removed_total", ["what": "collected_blobs"]] == collected + 2)
        #expect(after["trefoil_maintenance_failures_total"] == failures + 1)
        #expect(after["trefoil_maintenance_last_run_timestamp_seconds", ["kind": "janitor"]] == 1_900_000_000)
        #expect(after["trefoil_maintenance_last_run_duration_seconds", ["kind": "janitor"]] == 0.25)

        // A scrape with nothing new moves nothing.
        let again = try await server.scrape()
        #expect(again["trefoil_maintenance_removed_total", ["what": "expired_files"]] == expired + 3)
        #expect(again["trefoil_maintenance_runs_total", ["kind": "janitor"]] == janitorRuns + 1)
    }
}
