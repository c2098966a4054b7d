import Foundation

/// `GET` of a signed download URL against nginx serving the same bytes from disk (sendfile).
/// Both files sit in the page cache after a warm-up fetch; runs alternate between the two.
enum DownloadScenario {
    static func run(_ context: BenchContext, signedURL: String, file: String, nginx: Nginx?) async throws
        -> ReportRow
    {
        let bytes = context.sizes.fileBytes
        let size = BenchSizes.describe(bytes: bytes)
        context.log("signed-URL download: \(size), \(context.sizes.repetitions)× against nginx")
        let nginxURL = nginx.map { "\($0.base)/\((file as NSString).lastPathComponent)" }
        _ = try await fetch(signedURL, bytes: bytes)
        if let nginxURL { _ = try await fetch(nginxURL, bytes: bytes) }
        var figures: [Double] = []
        var baseline: [Double] = []
        for run in 0..<context.sizes.repetitions {
            figures.append(try await fetch(signedURL, bytes: bytes))
            if let nginxURL { baseline.append(try await fetch(nginxURL, bytes: bytes)) }
            context.log(
                "  run \(run + 1): trefoil \(Format.mbps(figures.last!))"
                    + (baseline.last.map { ", nginx \(Format.mbps($0))" } ?? ""))
        }
        let figure = median(figures)
        guard !baseline.isEmpty else {
            return ReportRow(
                scenario: "signed-URL download (\(size))", figure: Format.mbps(figure),
                baseline: "nginx unavailable", ratio: "n/a", target: "≥ 0.8×", met: nil,
                values: ["figure_mb_s": figure], notes: "nginx could not be installed or started")
        }
        let reference = median(baseline)
        let ratio = figure / reference
        return ReportRow(
            scenario: "signed-URL download (\(size))", figure: Format.mbps(figure),
            baseline: "nginx (sendfile): \(Format.mbps(reference))", ratio: Format.ratio(ratio), target: "≥ 0.8×",
            met: ratio >= 0.8,
            values: ["figure_mb_s": figure, "baseline_mb_s": reference, "ratio": ratio]
                .merging(Runs.values(figures, baseline)) { $1 },
            notes: "median of \(figures.count); curl -o /dev/null")
    }

    /// One download's speed in MB/s, after checking that every byte came.
    static func fetch(_ url: String, bytes: Int64) async throws -> Double {
        let transfer = try await Curl.download(url)
        guard transfer.bytesDownloaded == bytes else {
            throw BenchError("GET \(url) returned \(transfer.bytesDownloaded) bytes, not \(bytes)")
        }
        return megabytesPerSecond(bytes: bytes, seconds: transfer.seconds)
    }
}
