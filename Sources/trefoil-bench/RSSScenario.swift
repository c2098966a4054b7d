import Foundation

/// The server's memory during one large streaming upload (`PUT`, chunked, from a pipe that the
/// bench fills with random bytes), on a fresh server whose idle RSS is the baseline. VmRSS is
/// sampled every 10 ms; VmHWM catches a peak between two samples.
enum RSSScenario {
    static func run(_ context: BenchContext) async throws -> ReportRow {
        let bytes = context.sizes.rssUploadBytes
        let size = BenchSizes.describe(bytes: bytes)
        let server = context.server
        context.log("server RSS during a \(size) streaming upload")
        // Touch the upload path once with a tiny file, then let the server settle.
        let warm = try await Curl.transfer([
            "--data-binary", "warm-up", "-H", "Content-Type: application/octet-stream",
            "\(server.base)/upload_group_file?group_id=\(BenchGroups.uploads)&name=warm.bin",
        ])
        _ = try warm.okEnvelope("warm-up upload")
        try await Task.sleep(for: .seconds(1))
        guard let idle = ProcessMemory.read(pid: server.pid) else {
            throw BenchError("cannot read /proc/\(server.pid)/status")
        }
        await Workspace.sync()
        let sampler = RSSSampler(pid: server.pid)
        let url = "\(server.base)/upload_group_file?group_id=\(BenchGroups.uploads)&name=rss-stream.bin"
        let transfer: CurlTransfer
        do {
            transfer = try await Curl.putStream(to: url) { fd in
                var generator = RandomBytes(seed: 0x5EED_0002)
                try? generator.fill(fd, count: bytes)
            }
        } catch {
            _ = await sampler.stop()
            throw error
        }
        let (sampledPeakKB, samples) = await sampler.stop()
        let envelope = try transfer.okEnvelope("streaming PUT /upload_group_file")
        try UploadCheck.verify(envelope, bytes: bytes, md5: nil, what: "streaming upload")
        guard let after = ProcessMemory.read(pid: server.pid) else {
            throw BenchError("cannot read /proc/\(server.pid)/status")
        }
        // VmHWM only says something about the upload if the upload raised it.
        let peakKB = max(sampledPeakKB, after.highWaterKB > idle.highWaterKB ? after.highWaterKB : 0, idle.rssKB)
        let idleMB = Double(idle.rssKB) * 1_024 / 1e6
        let peakMB = Double(peakKB) * 1_024 / 1e6
        let increase = peakMB - idleMB
        context.log(
            "  idle \(String(format: "%.1f", idleMB)) MB, peak \(String(format: "%.1f", peakMB)) MB "
                + "(\(samples) samples), upload \(Format.mbps(megabytesPerSecond(bytes: bytes, seconds: transfer.seconds)))"
        )
        return ReportRow(
            scenario: "peak server RSS during a \(size) streaming upload",
            figure: String(format: "%.1f MB (+%.1f MB)", peakMB, increase),
            baseline: String(format: "idle: %.1f MB", idleMB), ratio: String(format: "+%.1f MB", increase),
            target: "< +100 MB", met: increase < 100,
            values: [
                "peak_mb": peakMB, "idle_mb": idleMB, "increase_mb": increase,
                "sampled_peak_mb": Double(sampledPeakKB) * 1_024 / 1e6,
                "hwm_before_mb": Double(idle.highWaterKB) * 1_024 / 1e6,
                "hwm_after_mb": Double(after.highWaterKB) * 1_024 / 1e6, "samples": Double(samples),
                "upload_mb_s": megabytesPerSecond(bytes: bytes, seconds: transfer.seconds),
            ],
            notes: "fresh server; `curl -T -` (chunked) fed by the bench; VmRSS every 10 ms plus VmHWM")
    }
}
