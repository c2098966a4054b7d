import Foundation

/// The server's memory during one large streaming upload (`PUT`, chunked, from a pipe that the
/// bench fills with random bytes), on a fresh server whose idle RSS is the baseline. VmRSS is
/// sampled every 10 ms; VmHWM catches a peak between two samples.
enum RSSScenario {
    static func run(_ context: BenchContext) async throws -> ReportRow {
        let bytes = context.sizes.rssUploadBytes
        let size = BenchSizes.describe(bytes: bytes)
        context.log("server RSS during a \(size) streaming upload")
        let upload = try await streamingUpload(context, bytes: bytes, name: "rss-stream.bin", seed: 0x5EED_0002)
        return upload.memory.row(
            "peak server RSS during a \(size) streaming upload", limitMB: 100,
            values: ["upload_mb_s": upload.megabytesPerSecond],
            notes: "fresh server; `curl -T -` (chunked) fed by the bench; VmRSS every 10 ms plus VmHWM")
    }

    struct Upload {
        let memory: PeakMemory
        /// The upload's answer, checked for its size.
        let envelope: [String: Any]
        let megabytesPerSecond: Double
    }

    /// One streaming upload of `bytes` random bytes (from `seed`) into the uploads group as `name`, with the server's
    /// memory sampled while it runs. A tiny upload first touches the upload path, then the server settles.
    static func streamingUpload(_ context: BenchContext, bytes: Int64, name: String, seed: UInt64) async throws
        -> Upload
    {
        let server = context.server
        let warm = try await Curl.transfer([
            "--data-binary", "warm-up", "-H", "Content-Type: application/octet-stream",
            "\(server.base)/upload_group_file?group_id=\(BenchGroups.uploads)&name=warm.bin",
        ])
        _ = try warm.okEnvelope("warm-up upload")
        try await Task.sleep(for: .seconds(1))
        await Workspace.sync()
        let url = "\(server.base)/upload_group_file?group_id=\(BenchGroups.uploads)&name=\(name)"
        let (memory, transfer) = try await PeakMemory.during(pid: server.pid) {
            try await Curl.putStream(to: url) { fd in
                var generator = RandomBytes(seed: seed)
                try? generator.fill(fd, count: bytes)
            }
        }
        let envelope = try transfer.okEnvelope("streaming PUT /upload_group_file")
        try UploadCheck.verify(envelope, bytes: bytes, md5: nil, what: "streaming upload")
        let speed = megabytesPerSecond(bytes: bytes, seconds: transfer.seconds)
        context.log("  \(memory.summary), upload \(Format.mbps(speed))")
        return Upload(memory: memory, envelope: envelope, megabytesPerSecond: speed)
    }
}
