import Foundation

/// Concurrent large downloads (issue 18): distinct files uploaded once from a local path, then all fetched at once
/// through their signed URLs, each on a connection and a thread of its own (`HTTPLoad.fetchAll`), against nginx
/// serving the same files. Aggregate MB/s: every byte of every answer over the wall time from the first connect to
/// the last byte. Both are warmed (one fetch of each file) so that both read from the page cache; runs alternate.
enum ConcurrentDownloadScenario {
    static func run(_ context: BenchContext) async throws -> ReportRow {
        let sizes = context.sizes
        let bytes = sizes.concurrentBytes
        let size = BenchSizes.describe(bytes: bytes)
        let folder = "concurrent"
        try FileManager.default.createDirectory(
            atPath: context.workspace.filesDir + "/" + folder, withIntermediateDirectories: true)
        defer { context.workspace.remove(context.workspace.filesDir + "/" + folder) }
        let names = (0..<sizes.concurrentDownloads).map { "\(folder)/\(zeroPadded($0, width: 2)).bin" }
        context.log("concurrent downloads: writing and uploading \(names.count) files of \(size)")
        var trefoilHeads: [String] = []
        for (index, name) in names.enumerated() {
            let file = try context.workspace.testFile(name, bytes: bytes, seed: 200 + UInt64(index))
            let query =
                "group_id=\(BenchGroups.concurrentDownloads)&file=\(queryEscape(file))&name=\(zeroPadded(index, width: 2)).bin"
            let envelope = try await Curl.transfer(["\(context.server.base)/upload_group_file?\(query)"])
                .okEnvelope("upload_group_file of \(name)")
            try UploadCheck.verify(envelope, bytes: bytes, md5: nil, what: name)
            guard let url = Envelope.dataField(envelope, "url") as? String else {
                throw BenchError("upload_group_file of \(name) returned no url")
            }
            trefoilHeads.append(try HTTPLoad.getHead(url: url))
        }
        await Workspace.sync()
        let nginxHeads = names.map { HTTPLoad.getHead("/\($0)") }

        let nginx = try await Nginx.start(workspace: context.workspace) { context.log($0) }
        var figures: [Double] = []
        var baseline: [Double] = []
        do {
            let expected = Int(bytes)
            _ = try await aggregate(port: context.server.port, heads: trefoilHeads, bytes: expected)
            _ = try await aggregate(port: nginx.port, heads: nginxHeads, bytes: expected)
            for run in 0..<sizes.repetitions {
                figures.append(try await aggregate(port: context.server.port, heads: trefoilHeads, bytes: expected))
                baseline.append(try await aggregate(port: nginx.port, heads: nginxHeads, bytes: expected))
                context.log(
                    "  run \(run + 1): trefoil \(Format.mbps(figures.last!)), nginx \(Format.mbps(baseline.last!))")
            }
        } catch {
            await nginx.stop()
            throw error
        }
        await nginx.stop()
        return EasemobScenario.compared(
            "\(names.count) concurrent downloads of \(size)", figures, against: baseline,
            named: "nginx (sendfile), the same files", format: Format.mbps, unit: "mb_s", target: "≥ 1.0×",
            met: { $0 >= 1.0 },
            notes: "aggregate: all bytes / wall time from the first connect to the last byte; one connection per "
                + "file; page cache warmed by one fetch of each; every answer 200 with every byte; medians of "
                + "\(figures.count) runs each, alternating")
    }

    /// One run: every file at once; aggregate MB/s after checking that every answer is 200 with `bytes` of body.
    private static func aggregate(port: Int, heads: [String], bytes: Int) async throws -> Double {
        let fetches = try await HTTPLoad.fetchAll(port: port, heads: heads)
        for fetch in fetches where fetch.status != 200 || fetch.bytes != bytes {
            throw BenchError("a download on port \(port) answered HTTP \(fetch.status) with \(fetch.bytes) bytes")
        }
        guard let first = fetches.map(\.started).min(), let last = fetches.map(\.finished).max() else { return 0 }
        return megabytesPerSecond(bytes: Int64(bytes * fetches.count), seconds: (last - first).seconds)
    }
}
