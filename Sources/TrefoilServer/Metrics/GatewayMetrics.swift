import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import TrefoilConfiguration
import TrefoilCore
import TrefoilFaceKit

/// One gateway's metrics: the Prometheus registry every face and transport records into (through `factory`, with
/// swift-metrics' API) and the scrape that renders it.
///
/// Each gateway has its own registry, so that gateways in one process (the tests run many) never share a series; the
/// global `MetricsSystem` is never bootstrapped. What the core and the connection board keep as running state is read
/// at scrape time instead of being recorded as it happens: store totals, connections, webhook targets, maintenance
/// runs, the process.
final class GatewayMetrics: Sendable {
    /// What the faces and transports record with; a no-op when `metrics.enable` is false.
    let factory: any MetricsFactory
    private let registry: PrometheusCollectorRegistry
    private let tree: FileTree
    private let board: ConnectionBoard
    private let startedAt: Int64
    private let totals = RunningTotals()
    private let logger: Logger

    init(enabled: Bool, tree: FileTree, board: ConnectionBoard, startedAt: Int64, logger: Logger) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        factory = enabled ? PrometheusMetricsFactory(registry: registry) : NOOPMetricsHandler.instance
        self.tree = tree
        self.board = board
        self.startedAt = startedAt
        self.logger = logger
        // Series whose labels are known up front read 0 from the first scrape, so that a rate over them has a start.
        for kind in EventChannelKind.allCases { _ = EventMetrics(kind, factory: factory) }
    }

    /// The scrape: every series in the Prometheus text format (version 0.0.4).
    func scrape() async -> [UInt8] {
        await recordStore()
        recordMaintenance()
        recordConnections()
        recordProcess()
        return registry.emitToBuffer()
    }

    /// The scrape as an HTTP answer.
    func response() async -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: await scrape())))
    }

    private func gauge(_ label: String, _ dimensions: [(String, String)], _ value: Int64) {
        Gauge(label: label, dimensions: dimensions, factory: factory).record(value)
    }

    private func gauge(_ label: String, _ value: Int64) { gauge(label, [], value) }

    private func gauge(_ label: String, _ dimensions: [(String, String)], _ value: Double) {
        Gauge(label: label, dimensions: dimensions, factory: factory).record(value)
    }

    private func advance(_ label: String, _ dimensions: [(String, String)] = [], to total: Int64) {
        totals.advance(label, dimensions, to: total, factory: factory)
    }

    // MARK: The store

    private func recordStore() async {
        let statistics: StoreStatistics
        do {
            statistics = try await tree.statistics()
        } catch {
            // The gauges keep their last values; the failure is counted and the rest of the scrape goes on.
            logger.warning("store statistics failed for a metrics scrape", metadata: ["error": "\(error)"])
            Counter(label: "trefoil_store_statistics_failures_total", factory: factory).increment()
            return
        }
        for kind in SpaceKind.allCases {
            gauge("trefoil_store_spaces", [("kind", kind.rawValue)], Int64(statistics.spaces[kind] ?? 0))
        }
        gauge("trefoil_store_files", Int64(statistics.files))
        gauge("trefoil_store_file_bytes", statistics.fileBytes)
        gauge("trefoil_store_blobs", Int64(statistics.blobs))
        gauge("trefoil_store_blob_bytes", statistics.blobBytes)
        gauge("trefoil_store_dedup_saved_bytes", statistics.dedupSavedBytes)
        gauge("trefoil_store_temp_files", Int64(statistics.tempFiles))
        gauge("trefoil_store_temp_bytes", statistics.tempBytes)
        gauge("trefoil_store_disk_free_bytes", statistics.diskFreeBytes)
        gauge("trefoil_store_disk_total_bytes", statistics.diskTotalBytes)
        Counter(label: "trefoil_store_statistics_failures_total", factory: factory).increment(by: 0)
    }

    // MARK: Maintenance

    private func recordMaintenance() {
        let log = tree.maintenance
        let totals = log.totals
        for kind in MaintenanceLog.Run.Kind.allCases {
            advance("trefoil_maintenance_runs_total", [("kind", kind.rawValue)], to: Int64(totals.runs[kind] ?? 0))
        }
        advance("trefoil_maintenance_failures_total", to: Int64(totals.failures))
        let removed: [(String, Int)] = [
            ("expired_files", totals.expiredFiles), ("abandoned_uploads", totals.abandonedUploads),
            ("collected_blobs", totals.collectedBlobs), ("pruned_cache_files", totals.prunedCacheFiles),
            ("removed_temp_files", totals.removedTempFiles),
        ]
        for (what, count) in removed {
            advance("trefoil_maintenance_removed_total", [("what", what)], to: Int64(count))
        }
        // `recent` is newest first: the first run of each kind is its last.
        var latest: [MaintenanceLog.Run.Kind: MaintenanceLog.Run] = [:]
        for run in log.recent where latest[run.kind] == nil { latest[run.kind] = run }
        for (kind, run) in latest {
            gauge("trefoil_maintenance_last_run_timestamp_seconds", [("kind", kind.rawValue)], run.startedAt)
            gauge("trefoil_maintenance_last_run_duration_seconds", [("kind", kind.rawValue)], run.durationSeconds)
        }
    }

    // MARK: Connections

    private func recordConnections() {
        let snapshot = board.snapshot()
        for direction in [ConnectionBoard.Direction.forward, .reverse] {
            for role in ["universal", "api", "event"] {
                let count = snapshot.connections.count { $0.direction == direction && $0.role == role }
                gauge(
                    "trefoil_websocket_connections", [("direction", direction.rawValue), ("role", role)],
                    Int64(count))
            }
        }
        for target in snapshot.reverse {
            let dimensions = [("target", MetricTarget.label(target.url)), ("role", target.role)]
            gauge("trefoil_reverse_websocket_connected", dimensions, Int64(target.connected ? 1 : 0))
            advance("trefoil_reverse_websocket_failures_total", dimensions, to: target.failures)
        }
        for target in snapshot.webhooks {
            let dimensions = [("target", MetricTarget.label(target.url))]
            advance("trefoil_webhook_deliveries_total", dimensions, to: target.delivered)
            advance("trefoil_webhook_failures_total", dimensions, to: target.failures)
            advance("trefoil_webhook_retries_total", dimensions, to: target.retries)
            advance("trefoil_webhook_dropped_total", dimensions, to: target.dropped)
            gauge("trefoil_webhook_queue_depth", dimensions, Int64(target.queueDepth))
        }
        if !snapshot.webhooks.isEmpty {
            let kind = [("kind", EventChannelKind.httpPost.rawValue)]
            advance("trefoil_events_sent_total", kind, to: snapshot.webhooks.reduce(0) { $0 + $1.delivered })
            advance("trefoil_events_dropped_total", kind, to: snapshot.webhooks.reduce(0) { $0 + $1.dropped })
        }
    }

    // MARK: The process

    private func recordProcess() {
        let process = ProcessStatistics.read()
        gauge("process_resident_memory_bytes", process.residentBytes)
        gauge("process_open_fds", Int64(process.openFiles))
        gauge("process_max_fds", Int64(OpenFileLimit.current))
        gauge("process_start_time_seconds", startedAt)
        gauge("trefoil_uptime_seconds", max(0, tree.now - startedAt))
        gauge("trefoil_build_info", [("version", TrefoilVersion.current)], Int64(1))
    }
}

/// How an outbound target appears as a label: its configured URL without user info, query or fragment, where
/// operators sometimes put tokens (the start-up log shows URLs the same way).
enum MetricTarget {
    static func label(_ url: String) -> String { ConfigRedaction.loggableURL(url) }
}
