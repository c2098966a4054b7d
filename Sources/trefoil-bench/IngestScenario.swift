import Foundation

/// `upload_group_file` with a local path (the server reads, hashes and stores the file itself)
/// against `md5sum` reading the same file: both read from the page cache (warmed first), so the
/// difference is what the server adds on top of one hash pass.
enum IngestScenario {
    struct Outcome {
        let row: ReportRow
        let megabytesPerSecond: Double
        /// The signed download URL of the stored file.
        let url: String
    }

    static func run(_ context: BenchContext, file: String) async throws -> Outcome {
        let bytes = context.sizes.fileBytes
        let size = BenchSizes.describe(bytes: bytes)
        context.log("ingest from a local path: \(size), \(context.sizes.repetitions)× against md5sum")
        let warm = try await ChildProcess.check("md5sum", [file])
        let expectedMD5 = String(warm.output.prefix(32))
        var baseline: [Double] = []
        var figures: [Double] = []
        var ceilings: [Double] = []
        var url = ""
        for run in 0..<context.sizes.repetitions {
            let md5 = try await ChildProcess.check("md5sum", [file])
            baseline.append(megabytesPerSecond(bytes: bytes, seconds: md5.elapsed.seconds))
            ceilings.append(try await copyWithFsync(context, file: file, bytes: bytes))
            await Workspace.sync()
            let query =
                "group_id=\(BenchGroups.uploads)&file=\(queryEscape(file))&name=ingest-\(run).bin"
            let transfer = try await Curl.transfer(["\(context.server.base)/upload_group_file?\(query)"])
            let envelope = try transfer.okEnvelope("upload_group_file from a local path")
            try UploadCheck.verify(envelope, bytes: bytes, md5: expectedMD5, what: "ingest from a path")
            url = Envelope.dataField(envelope, "url") as? String ?? ""
            figures.append(megabytesPerSecond(bytes: bytes, seconds: transfer.seconds))
            context.log(
                "  run \(run + 1): md5sum \(Format.mbps(baseline.last!)), dd with fsync \(Format.mbps(ceilings.last!)), "
                    + "ingest \(Format.mbps(figures.last!))")
        }
        guard !url.isEmpty else { throw BenchError("upload_group_file returned no url") }
        let ceiling = median(ceilings)
        let figure = median(figures)
        let reference = median(baseline)
        let ratio = figure / reference
        let row = ReportRow(
            scenario: "ingest from a local path (`upload_group_file`, \(size))",
            figure: Format.mbps(figure), baseline: "md5sum: \(Format.mbps(reference))", ratio: Format.ratio(ratio),
            target: "≥ 0.8×", met: ratio >= 0.8,
            values: [
                "figure_mb_s": figure, "baseline_mb_s": reference, "ratio": ratio, "dd_fsync_mb_s": ceiling,
                "ratio_to_dd_fsync": figure / ceiling,
                "ceiling_ratio_to_md5sum": ceiling / reference,
            ].merging(Runs.values(figures, baseline)) { $1 }.merging(Runs.values(ceilings, prefix: "dd_fsync_run")) {
                $1
            },
            notes: "median of \(figures.count); page cache warm for both; the server fsyncs every upload. "
                + "The disk's ceiling, `dd conv=fsync` of the same file into the data directory's filesystem "
                + "before each upload: median \(Format.mbps(ceiling)) (\(Format.ratio(ceiling / reference)) of md5sum); "
                + "ingest reached \(Format.ratio(figure / ceiling)) of it")
        return Outcome(row: row, megabytesPerSecond: figure, url: url)
    }
}

extension IngestScenario {
    /// What the disk allows: the same file copied with `dd conv=fsync` next to the server's data,
    /// the ceiling for any upload that must be durable before it is acknowledged. The copy is
    /// removed and synced before the next measurement.
    static func copyWithFsync(_ context: BenchContext, file: String, bytes: Int64) async throws -> Double {
        await Workspace.sync()
        let copy = context.server.dataDir + "/../dd-copy.bin"
        let result = try await ChildProcess.check(
            "dd", ["if=\(file)", "of=\(copy)", "bs=1M", "conv=fsync", "status=none"])
        context.workspace.remove(copy)
        return megabytesPerSecond(bytes: bytes, seconds: result.elapsed.seconds)
    }
}

/// Checks on an upload's result, so that a fast but wrong upload never counts.
enum UploadCheck {
    static func verify(_ envelope: [String: Any], bytes: Int64, md5: String?, what: String) throws {
        let size = (Envelope.dataField(envelope, "file_size") as? NSNumber)?.int64Value
        guard size == bytes else {
            throw BenchError("\(what): the server stored \(size.map(String.init) ?? "?") bytes, not \(bytes)")
        }
        if let md5, let stored = Envelope.dataField(envelope, "md5") as? String, stored != md5 {
            throw BenchError("\(what): the server's md5 \(stored) is not the file's \(md5)")
        }
    }
}

/// Every repetition's value, for the JSON.
enum Runs {
    static func values(_ series: [Double], prefix: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for (index, value) in series.enumerated() { values["\(prefix)\(index + 1)"] = value }
        return values
    }

    static func values(_ figures: [Double], _ baseline: [Double]) -> [String: Double] {
        values(figures, prefix: "figure_run").merging(values(baseline, prefix: "baseline_run")) { $1 }
    }
}
