import Foundation

/// Small durable uploads (issue 18): 4 KiB files, each of distinct content, sent as `upload_group_file` with
/// `base64://` over one forward WebSocket, one in flight and 32 in flight (`WSLoad`), against `DurableWriteLoop` on
/// the same disk. Rounds alternate baseline, one in flight, 32 in flight; the rows report medians.
enum SmallUploadScenario {
    static let fileBytes = 4_096

    static func run(_ context: BenchContext) async throws -> [ReportRow] {
        let sizes = context.sizes
        let warmup = Duration.seconds(sizes.warmupSeconds)
        let window = Duration.seconds(sizes.smallUploadSeconds)
        // Next to the data directory, so on the same filesystem as the server's blobs and database.
        let loopDirectory = context.server.dataDir + "-durable-write-loop"
        context.log(
            "small durable uploads: \(sizes.smallUploadRounds) rounds of \(sizes.warmupSeconds) s + "
                + "\(sizes.smallUploadSeconds) s windows (write loop, 1 in flight, 32 in flight)")
        var baseline: [Double] = []
        var single: [Double] = []
        var pipelined: [Double] = []
        var singleLatencies: [Duration] = []
        var pipelinedLatencies: [Duration] = []
        var answered = 0
        for round in 0..<sizes.smallUploadRounds {
            await Workspace.sync()
            baseline.append(
                try await DurableWriteLoop.run(
                    directory: loopDirectory, bytes: fileBytes, seed: UInt64(round + 1), warmup: warmup,
                    duration: window))
            for depth in [1, 32] {
                await Workspace.sync()
                let outcome = try await uploads(
                    context, depth: depth, window: round * 2 + (depth == 1 ? 0 : 1), warmup: warmup, duration: window)
                answered += outcome.answered
                if depth == 1 {
                    single.append(outcome.requestsPerSecond)
                    singleLatencies += outcome.latencies.map(\.latency)
                } else {
                    pipelined.append(outcome.requestsPerSecond)
                    pipelinedLatencies += outcome.latencies.map(\.latency)
                }
            }
            context.log(
                "  round \(round + 1): write loop \(perSecond(baseline.last!)), 1 in flight \(perSecond(single.last!)), "
                    + "32 in flight \(perSecond(pipelined.last!))")
        }
        context.workspace.remove(loopDirectory)
        try await checkStored(context, answered: answered)
        let loop = median(baseline)
        let notes =
            "one forward WS (`/api`); medians of \(baseline.count) windows of \(sizes.smallUploadSeconds) s "
            + "(after \(sizes.warmupSeconds) s of warm-up), alternating with the loop; every answer `ok`, and after "
            + "all windows the group holds exactly the \(Format.count(answered)) files answered "
            + "(`get_group_file_system_info`: file_count and used_space)"
        return [
            row(
                "one in flight", single, latencies: singleLatencies, loop: loop, loopRuns: baseline, target: 0.5,
                notes: notes),
            row(
                "32 in flight", pipelined, latencies: pipelinedLatencies, loop: loop, loopRuns: baseline, target: 1.0,
                notes: notes + "; the aim is 2× (group commit should beat one fsync per file)"),
        ]
    }

    /// One window of uploads at `depth` in flight; any answer that is not `ok` fails the scenario. `window` makes
    /// every file's content and name distinct across windows.
    private static func uploads(
        _ context: BenchContext, depth: Int, window: Int, warmup: Duration, duration: Duration
    ) async throws -> WSLoad.Outcome {
        let group = BenchGroups.smallUploads
        let seedBase = UInt64(window + 1) << 32
        let outcome = try await WSLoad.run(
            url: context.server.webSocketBase + "/api", connections: 1, depth: depth, warmup: warmup,
            duration: duration
        ) { sequence, echo in
            let content = Data(RandomBytes.bytes(fileBytes, seed: seedBase + UInt64(sequence))).base64EncodedString()
            let params =
                #"{"group_id":\#(group),"file":"base64://\#(content)","name":"small-\#(window)-\#(sequence).bin"}"#
            return #"{"action":"upload_group_file","params":\#(params),"echo":\#(echo)}"#
        }
        guard outcome.failures == 0 else {
            throw BenchError(
                "\(outcome.failures) uploads at \(depth) in flight failed: \(outcome.firstFailure ?? "")")
        }
        return outcome
    }

    /// The group must hold exactly the files that were answered `ok`, with exactly their bytes.
    private static func checkStored(_ context: BenchContext, answered: Int) async throws {
        let envelope = try await WSRPC.withConnection(url: context.server.webSocketBase + "/api") {
            try await $0.callOK("get_group_file_system_info", params: #"{"group_id":\#(BenchGroups.smallUploads)}"#)
        }
        let count = (Envelope.dataField(envelope, "file_count") as? NSNumber)?.intValue
        let used = (Envelope.dataField(envelope, "used_space") as? NSNumber)?.intValue
        guard count == answered, used == answered * fileBytes else {
            throw BenchError(
                "the group holds \(count.map(String.init) ?? "?") files of \(used.map(String.init) ?? "?") bytes, "
                    + "but \(answered) uploads of \(fileBytes) bytes were answered ok")
        }
    }

    private static func row(
        _ inFlight: String, _ figures: [Double], latencies: [Duration], loop: Double, loopRuns: [Double],
        target: Double, notes: String
    ) -> ReportRow {
        let figure = median(figures)
        let ratio = figure / loop
        let latency = LatencySummary(latencies)
        return ReportRow(
            scenario: "small durable uploads (4 KiB, \(inFlight))", figure: perSecond(figure),
            baseline: "write + fsync + rename + folder fsync loop: \(perSecond(loop))", ratio: Format.ratio(ratio),
            target: String(format: "≥ %.1f×", target), met: ratio >= target,
            values: [
                "figure_uploads_s": figure, "baseline_files_s": loop, "ratio": ratio, "p50_ms": latency.p50,
                "p99_ms": latency.p99,
            ].merging(Runs.values(figures, loopRuns)) { $1 },
            notes: notes + String(format: "; latency p50 %.2f ms, p99 %.2f ms", latency.p50, latency.p99))
    }

    private static func perSecond(_ value: Double) -> String { String(format: "%.0f files/s", value) }
}
