import Foundation

/// `POST /upload_group_file` with a `multipart/form-data` body whose `file` part is the content
/// (`curl -F file=@…`), against the raw streaming figure.
enum MultipartScenario {
    static func run(_ context: BenchContext, file: String, raw: Double) async throws -> ReportRow {
        let bytes = context.sizes.multipartBytes
        let size = BenchSizes.describe(bytes: bytes)
        context.log("HTTP multipart upload: \(size), \(context.sizes.repetitions)×")
        var figures: [Double] = []
        for run in 0..<context.sizes.repetitions {
            await Workspace.sync()
            figures.append(try await oneBotUpload(context, file: file, bytes: bytes, name: "form-\(run).bin"))
            context.log("  run \(run + 1): \(Format.mbps(figures.last!))")
        }
        let figure = median(figures)
        let ratio = figure / raw
        return ReportRow(
            scenario: "HTTP multipart upload (\(size))",
            figure: Format.mbps(figure), baseline: "raw streaming: \(Format.mbps(raw))",
            ratio: Format.ratio(ratio), target: "≥ 0.5×", met: ratio >= 0.5,
            values: ["figure_mb_s": figure, "baseline_mb_s": raw, "ratio": ratio]
                .merging(Runs.values(figures, [])) { $1 },
            notes: "median of \(figures.count)")
    }

    /// One OneBot multipart upload of `file` (`bytes` long) into the uploads group as `name`, checked; its MB/s. The
    /// baseline the faces' upload rows are measured against.
    static func oneBotUpload(_ context: BenchContext, file: String, bytes: Int64, name: String) async throws -> Double {
        let url = "\(context.server.base)/upload_group_file?group_id=\(BenchGroups.uploads)&name=\(name)"
        let transfer = try await Curl.postMultipart(file: file, to: url)
        try UploadCheck.verify(
            try transfer.okEnvelope("multipart POST /upload_group_file"), bytes: bytes, md5: nil,
            what: "multipart upload")
        return megabytesPerSecond(bytes: bytes, seconds: transfer.seconds)
    }
}
