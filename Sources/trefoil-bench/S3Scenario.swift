import Foundation

/// Blobs on S3 (`storage.blobs.backend: s3`) against awscli, both talking to the same moto server in the same run:
/// a raw `PUT` that trefoil answers only once the object is complete in the bucket, against `aws s3 cp` up; the
/// signed download link (streamed through trefoil, the default) against `aws s3 cp` down; and the server's peak RSS
/// during a large streaming upload to S3. The transfer rows run on one trefoil and the RSS row on a fresh one, both
/// with their blobs in the bucket; the other scenarios keep the local folder.
enum S3Scenario {
    /// moto with one bucket, and awscli pointed at it.
    struct Setup: Sendable {
        let moto: MotoS3
        let aws: AWSCLI
        let bucket = "trefoil-bench"

        /// Starts moto (making its venv and awscli's when missing) and makes the bucket; moto is stopped again when
        /// the rest fails.
        static func start(workspace: Workspace, log: (String) -> Void) async throws -> Setup {
            let moto = try await MotoS3.start(workspace: workspace, log: log)
            do {
                let setup = Setup(
                    moto: moto, aws: try await AWSCLI.make(endpoint: moto.endpoint, workspace: workspace, log: log))
                try await setup.aws.makeBucket(setup.bucket)
                return setup
            } catch {
                await moto.stop()
                throw error
            }
        }

        /// The `storage.blobs` member of a trefoil that keeps its blobs in the bucket as `<prefix>/<sha256>`. Each
        /// server gets a prefix of its own, so that none collects another's objects as unreferenced.
        func blobs(prefix: String) -> String { moto.blobsSection(bucket: bucket, prefix: prefix) }

        /// Fails unless the upload `envelope` answered is in the bucket under `prefix` with `bytes` bytes (so it went
        /// to S3, not to a local folder), and has the sha256 `expected` when given.
        func checkStored(_ envelope: [String: Any], prefix: String, sha256 expected: String?, bytes: Int64)
            async throws
        {
            guard let sha256 = Envelope.dataField(envelope, "sha256") as? String, sha256.count == 64 else {
                throw BenchError("the upload's answer has no sha256")
            }
            if let expected, sha256 != expected {
                throw BenchError("the server's sha256 \(sha256) is not the file's \(expected)")
            }
            try await aws.checkObject(bucket: bucket, key: "\(prefix)/\(sha256)", bytes: bytes)
        }
    }

    /// The object prefixes of the transfer rows' server and of the RSS row's (awscli's objects are under `awscli/`).
    static let transferPrefix = "blobs"
    static let memoryPrefix = "rss-blobs"

    /// The upload and download rows. Every run uploads a file of its own: trefoil stores a content once and would
    /// not upload one the bucket already holds.
    static func transfers(_ context: BenchContext, setup: Setup) async throws -> [ReportRow] {
        let bytes = context.sizes.s3FileBytes
        let size = BenchSizes.describe(bytes: bytes)
        let runs = context.sizes.repetitions
        context.log("S3 upload and download: \(size), \(runs)× against awscli, moto at \(setup.moto.endpoint)")
        // What awscli costs before it moves a byte (Python start-up, botocore's models): a 1-byte copy.
        let tiny = try context.workspace.testFile("s3-tiny.bin", bytes: 1, seed: 0x53_0100)
        let awsStartup = try await setup.aws.run([
            "s3", "cp", "--only-show-errors", tiny, "s3://\(setup.bucket)/awscli/tiny",
        ])
        .elapsed.seconds
        var uploads: [Double] = []
        var awsUploads: [Double] = []
        var downloads: [Double] = []
        var awsDownloads: [Double] = []
        for run in 0..<runs {
            let file = try context.workspace.testFile("s3-\(run).bin", bytes: bytes, seed: 0x53_0000 + UInt64(run))
            let sha256 = String(try await ChildProcess.check("sha256sum", [file]).output.prefix(64))
            let key = "awscli/s3-\(run).bin"
            // Each pair alternates who goes first, so that drift of moto or the machine falls on both alike.
            let trefoilFirst = run % 2 == 0
            var link = ""
            for turn in 0..<2 {
                await Workspace.sync()
                if (turn == 0) == trefoilFirst {
                    let upload = try await upload(context, setup: setup, file: file, bytes: bytes, sha256: sha256)
                    uploads.append(upload.megabytesPerSecond)
                    link = upload.link
                } else {
                    awsUploads.append(try await setup.aws.upload(file, bytes: bytes, to: setup.bucket, key: key))
                }
            }
            for turn in 0..<2 {
                if (turn == 0) == trefoilFirst {
                    downloads.append(try await DownloadScenario.fetch(link, bytes: bytes))
                } else {
                    awsDownloads.append(try await setup.aws.download(bucket: setup.bucket, key: key, bytes: bytes))
                }
            }
            // moto slows down as it holds more objects (each a temp file and index entries): the next run starts
            // from the same bucket as this one did. trefoil's server is thrown away after these rows.
            try await setup.aws.run(["s3", "rm", "--only-show-errors", "s3://\(setup.bucket)/\(key)"])
            try await setup.aws.run([
                "s3", "rm", "--only-show-errors", "s3://\(setup.bucket)/\(transferPrefix)/\(sha256)",
            ])
            context.workspace.remove(file)
            context.log(
                "  run \(run + 1): up trefoil \(Format.mbps(uploads.last!)), awscli \(Format.mbps(awsUploads.last!)); "
                    + "down trefoil \(Format.mbps(downloads.last!)), awscli \(Format.mbps(awsDownloads.last!))")
        }
        let common =
            "median of \(runs), alternating who goes first; moto's S3 server on loopback for both, objects removed after each run; \(setup.aws.version) timed around "
            + "the whole command (its 1-byte `cp` takes \(String(format: "%.2f s", awsStartup)))"
        return [
            row(
                "upload to S3 (`PUT`, \(size), `storage.blobs.backend: s3`)", figures: uploads,
                baseline: awsUploads, baselineName: "`aws s3 cp` up", extra: ["awscli_1_byte_cp_s": awsStartup],
                notes: "\(common); trefoil answers once the object is complete in the bucket (temp file, then a "
                    + "multipart upload with its default part size and concurrency); `curl -T`"),
            row(
                "download from S3 (signed link, proxied, \(size))", figures: downloads, baseline: awsDownloads,
                baselineName: "`aws s3 cp` down", extra: ["awscli_1_byte_cp_s": awsStartup],
                notes: "\(common); trefoil streams one GET of the object; curl -o /dev/null, awscli to /dev/null"),
        ]
    }

    /// One raw `PUT` of `file` to the S3-backed server, checked in the bucket: its MB/s and the signed download link.
    private static func upload(
        _ context: BenchContext, setup: Setup, file: String, bytes: Int64, sha256: String
    ) async throws -> (megabytesPerSecond: Double, link: String) {
        let name = (file as NSString).lastPathComponent
        let url = "\(context.server.base)/upload_group_file?group_id=\(BenchGroups.uploads)&name=\(name)"
        let transfer = try await Curl.put(file: file, to: url)
        let envelope = try transfer.okEnvelope("PUT /upload_group_file to S3")
        try UploadCheck.verify(envelope, bytes: bytes, md5: nil, what: "upload to S3")
        try await setup.checkStored(envelope, prefix: transferPrefix, sha256: sha256, bytes: bytes)
        guard let link = Envelope.dataField(envelope, "url") as? String, !link.isEmpty else {
            throw BenchError("upload_group_file returned no url")
        }
        return (megabytesPerSecond(bytes: bytes, seconds: transfer.seconds), link)
    }

    /// The RSS row: a streaming upload to S3 on a fresh server, checked in the bucket.
    static func memory(_ context: BenchContext, setup: Setup) async throws -> ReportRow {
        let bytes = context.sizes.s3RSSUploadBytes
        let size = BenchSizes.describe(bytes: bytes)
        context.log("server RSS during a \(size) streaming upload to S3")
        let upload = try await RSSScenario.streamingUpload(
            context, bytes: bytes, name: "s3-rss-stream.bin", seed: 0x5EED_0003)
        try await setup.checkStored(upload.envelope, prefix: memoryPrefix, sha256: nil, bytes: bytes)
        return upload.memory.row(
            "peak server RSS during a \(size) streaming upload to S3", limitMB: 100,
            values: ["upload_mb_s": upload.megabytesPerSecond],
            notes: "fresh server, blobs in moto's S3; `curl -T -` (chunked) fed by the bench; "
                + "VmRSS every 10 ms plus VmHWM")
    }

    private static func row(
        _ scenario: String, figures: [Double], baseline: [Double], baselineName: String, extra: [String: Double],
        notes: String
    ) -> ReportRow {
        let figure = median(figures)
        let reference = median(baseline)
        let ratio = figure / reference
        return ReportRow(
            scenario: scenario, figure: Format.mbps(figure), baseline: "\(baselineName): \(Format.mbps(reference))",
            ratio: Format.ratio(ratio), target: "≥ 0.8×", met: ratio >= 0.8,
            values: ["figure_mb_s": figure, "baseline_mb_s": reference, "ratio": ratio]
                .merging(Runs.values(figures, baseline)) { $1 }.merging(extra) { $1 },
            notes: notes)
    }
}
