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
            let url = "\(context.server.base)/upload_group_file?group_id=\(BenchGroups.uploads)&name=form-\(run).bin"
            let transfer = try await Curl.postMultipart(file: file, to: url)
            let envelope = try transfer.okEnvelope("multipart POST /upload_group_file")
            try UploadCheck.verify(envelope, bytes: bytes, md5: nil, what: "multipart upload")
            figures.append(megabytesPerSecond(bytes: bytes, seconds: transfer.seconds))
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
}
