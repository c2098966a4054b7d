import Foundation

/// `PUT /upload_group_file?group_id=…&name=…` with the file as the raw body (`curl -T`), against
/// the ingest-from-path figure: the network path should cost little over reading the file itself.
enum RawUploadScenario {
    struct Outcome {
        let row: ReportRow
        let megabytesPerSecond: Double
    }

    static func run(_ context: BenchContext, file: String, ingest: Double) async throws -> Outcome {
        let bytes = context.sizes.fileBytes
        let size = BenchSizes.describe(bytes: bytes)
        context.log("HTTP raw streaming upload: \(size), \(context.sizes.repetitions)×")
        var figures: [Double] = []
        for run in 0..<context.sizes.repetitions {
            await Workspace.sync()
            figures.append(try await put(context, file: file, bytes: bytes, name: "raw-\(run).bin"))
            context.log("  run \(run + 1): \(Format.mbps(figures.last!))")
        }
        let figure = median(figures)
        let ratio = figure / ingest
        let row = ReportRow(
            scenario: "HTTP raw streaming upload (`PUT`, \(size))",
            figure: Format.mbps(figure), baseline: "ingest from path: \(Format.mbps(ingest))",
            ratio: Format.ratio(ratio), target: "≥ 0.7×", met: ratio >= 0.7,
            values: ["figure_mb_s": figure, "baseline_mb_s": ingest, "ratio": ratio]
                .merging(Runs.values(figures, [])) { $1 },
            notes: "median of \(figures.count)")
        return Outcome(row: row, megabytesPerSecond: figure)
    }

    /// One raw `PUT` of `file` (`bytes` long) into the uploads group as `name`, checked; its MB/s. The baseline of the
    /// fragmented WebSocket upload too.
    static func put(_ context: BenchContext, file: String, bytes: Int64, name: String) async throws -> Double {
        let url = "\(context.server.base)/upload_group_file?group_id=\(BenchGroups.uploads)&name=\(name)"
        let transfer = try await Curl.put(file: file, to: url)
        try UploadCheck.verify(
            try transfer.okEnvelope("PUT /upload_group_file"), bytes: bytes, md5: nil, what: "raw upload")
        return megabytesPerSecond(bytes: bytes, seconds: transfer.seconds)
    }
}
