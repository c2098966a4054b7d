import Foundation

/// Metadata actions over forward WebSocket (`/api`): 8 connections, each keeping several requests
/// in flight, against `get_version_info`, which touches no storage.
enum MetadataScenario {
    static func run(_ context: BenchContext) async throws -> [ReportRow] {
        let sizes = context.sizes
        let group = BenchGroups.metadata
        context.log(
            "metadata over WS: \(sizes.metadataConnections) connections × \(sizes.metadataDepth) in flight, "
                + "\(sizes.metadataSeconds) s per action")
        let baseline = try await load(context, action: "get_version_info", params: "{}")
        let info = try await load(context, action: "get_group_file_system_info", params: #"{"group_id":\#(group)}"#)
        let listing = try await load(
            context, action: "get_group_files_by_folder",
            params: #"{"group_id":\#(group),"folder_id":"/","file_count":\#(sizes.metadataPage),"start_index":0}"#)
        return [
            row(
                "metadata over WS: `get_group_file_system_info`", outcome: info, baseline: baseline, context: context),
            row(
                "metadata over WS: `get_group_files_by_folder` (page of \(sizes.metadataPage) "
                    + "of \(Format.count(sizes.metadataFiles)))", outcome: listing, baseline: baseline,
                context: context),
        ]
    }

    private static func load(_ context: BenchContext, action: String, params: String) async throws
        -> WSLoad.Outcome
    {
        let sizes = context.sizes
        let outcome = try await WSLoad.run(
            url: context.server.webSocketBase + "/api", connections: sizes.metadataConnections,
            depth: sizes.metadataDepth, warmup: .seconds(sizes.warmupSeconds), duration: .seconds(sizes.metadataSeconds)
        ) { _, echo in
            #"{"action":"\#(action)","params":\#(params),"echo":\#(echo)}"#
        }
        if outcome.failures > 0 {
            throw BenchError("\(action): \(outcome.failures) requests failed: \(outcome.firstFailure ?? "")")
        }
        guard outcome.completed > 0 else { throw BenchError("\(action): no response inside the window") }
        let latency = LatencySummary(outcome.latencies.map(\.latency))
        context.log(
            "  \(action): \(Format.rate(outcome.requestsPerSecond)), p50 \(Format.ms(latency.p50)), "
                + "p99 \(Format.ms(latency.p99))")
        return outcome
    }

    private static func row(
        _ scenario: String, outcome: WSLoad.Outcome, baseline: WSLoad.Outcome, context: BenchContext
    ) -> ReportRow {
        let latency = LatencySummary(outcome.latencies.map(\.latency))
        let reference = LatencySummary(baseline.latencies.map(\.latency))
        let ratio = outcome.requestsPerSecond / baseline.requestsPerSecond
        return ReportRow(
            scenario: scenario,
            figure: "\(Format.rate(outcome.requestsPerSecond)); p50 \(Format.ms(latency.p50)), "
                + "p99 \(Format.ms(latency.p99))",
            baseline: "`get_version_info`: \(Format.rate(baseline.requestsPerSecond)); "
                + "p50 \(Format.ms(reference.p50)), p99 \(Format.ms(reference.p99))",
            ratio: Format.ratio(ratio), target: "≥ 0.5×, p99 < 5 ms", met: ratio >= 0.5 && latency.p99 < 5,
            values: [
                "figure_req_s": outcome.requestsPerSecond, "baseline_req_s": baseline.requestsPerSecond,
                "ratio": ratio, "p50_ms": latency.p50, "p90_ms": latency.p90, "p99_ms": latency.p99,
                "max_ms": latency.max, "baseline_p50_ms": reference.p50, "baseline_p99_ms": reference.p99,
                "requests": Double(outcome.completed),
            ],
            notes:
                "\(context.sizes.metadataConnections) connections × \(context.sizes.metadataDepth) in flight, "
                + "\(context.sizes.metadataSeconds) s after \(context.sizes.warmupSeconds) s warm-up")
    }
}
