import ArgumentParser
import Foundation

@main
struct TrefoilBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trefoil-bench",
        abstract: "Measure a release trefoil binary over its real HTTP and WebSocket interfaces.",
        discussion: """
            Starts the trefoil binary as a child process on a loopback port with a temp data directory \
            under /tmp, runs every scenario with its baseline in the same run, prints one Markdown table \
            and writes the same figures as JSON. Exits 0 when targets are missed (it is a measurement) \
            and non-zero when a scenario could not run.
            """)

    @Flag(help: "Small sizes: every scenario end to end in well under a minute, even against a debug binary.")
    var quick = false

    @Option(help: "The trefoil binary (default: .build/release/trefoil, else .build/debug/trefoil).")
    var trefoil: String?

    @Option(help: "Where to write the JSON results.")
    var json = "bench-results.json"

    @Flag(help: "Keep the temp directory (test files, data, logs) for inspection.")
    var keep = false

    @Option(
        help: ArgumentHelp(
            "Run only these scenarios (comma-separated: \(Scenario.allCases.map(\.rawValue).joined(separator: ", "))).",
            discussion: """
                raw, multipart and download need the ingest figure, so ingest runs with them. small, smallfiles \
                and concurrent each run on a server of their own; smallfiles and concurrent start their own nginx. s3 makes \
                .build/s3-venv (moto) and .build/awscli-venv when missing: it needs python3 with venv and pip.
                """),
        transform: Scenario.parseList)
    var only: Set<Scenario> = Set(Scenario.allCases)

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        raiseOpenFileLimit()
        let binary = try locateBinary()
        let sizes = quick ? BenchSizes.quick : BenchSizes.full
        let workspace = try Workspace.create()
        let cleanup = Cleanup(workspace: workspace, keep: keep)
        cleanup.removeOnInterrupt()
        defer { cleanup.finish() }

        let clock = ContinuousClock()
        let started = clock.now
        let startedAt = ISO8601DateFormatter().string(from: Date())
        progress("trefoil-bench \(quick ? "--quick" : "(full)"): \(binary); temp directory \(workspace.root)")
        let machine = await MachineInfo.current(tempDirectory: workspace.root)

        var report = BenchReport(
            command: CommandLine.arguments.joined(separator: " "), mode: quick ? "quick" : "full", trefoil: binary,
            trefoilVersion: "", machine: machine, sizes: sizes, started: startedAt, seconds: 0, rows: [],
            failures: [])
        do {
            try await runScenarios(
                Scenario.closing(only), binary: binary, sizes: sizes, workspace: workspace, report: &report)
        } catch {
            report.failures.append("set-up: \(error)")
        }
        report.seconds = (clock.now - started).seconds

        print(report.table())
        try report.write(json: json)
        progress(String(format: "done in %.1f s; JSON in %@", report.seconds, json))
        if !report.failures.isEmpty {
            for failure in report.failures { progress("FAILED: \(failure)") }
            throw ExitCode(1)
        }
    }

    private func runScenarios(
        _ scenarios: Set<Scenario>, binary: String, sizes: BenchSizes, workspace: Workspace,
        report: inout BenchReport
    ) async throws {
        let log: @Sendable (String) -> Void = { progress($0) }
        var file: String?
        var form: String?
        if scenarios.contains(.ingest) {
            log(
                "writing test files: \(BenchSizes.describe(bytes: sizes.fileBytes)), "
                    + "\(BenchSizes.describe(bytes: sizes.multipartBytes))")
            file = try workspace.testFile("file.bin", bytes: sizes.fileBytes, seed: 1)
            if scenarios.contains(.multipart) {
                form = try workspace.testFile("form.bin", bytes: sizes.multipartBytes, seed: 2)
            }
            await Workspace.sync()
        }

        let dataDir = workspace.root + "/data"
        var jobs: [Seeder.Job] = []
        if scenarios.contains(.listing) {
            jobs.append(.init(group: BenchGroups.listing, count: sizes.listingFiles, prefix: "listed"))
        }
        if scenarios.contains(.metadata) {
            jobs.append(.init(group: BenchGroups.metadata, count: sizes.metadataFiles, prefix: "meta"))
        }
        if !jobs.isEmpty {
            log("seeding \(jobs.map { Format.count($0.count) }.joined(separator: " + ")) files over WebSocket")
            try await Seeder.seed(binary: binary, workspace: workspace, dataDir: dataDir, jobs: jobs, log: log)
        }

        let server = try await TrefoilServer.start(
            binary: binary, name: "server", workspace: workspace, dataDir: dataDir,
            sections: (scenarios.contains(.easemob) ? [EasemobScenario.configSection] : [])
                + (scenarios.contains(.qiniu) ? [QiniuScenario.configSection] : []))
        report.trefoilVersion = (try? await versionInfo(server)) ?? "unknown"
        let context = BenchContext(sizes: sizes, workspace: workspace, server: server)
        var nginx: Nginx?
        if scenarios.contains(.download) {
            do {
                nginx = try await Nginx.start(workspace: workspace, log: log)
            } catch {
                log("no nginx baseline: \(error)")
            }
        }

        var runner = ScenarioRunner(server: server, log: log)
        if let file {
            let ingest = await runner.run("ingest from a local path") {
                try await IngestScenario.run(context, file: file)
            }
            report.rows += ingest.map { [$0.row] } ?? []
            if let ingest {
                let raw =
                    scenarios.contains(.raw)
                    ? await runner.run("HTTP raw streaming upload") {
                        try await RawUploadScenario.run(context, file: file, ingest: ingest.megabytesPerSecond)
                    } : nil
                report.rows += raw.map { [$0.row] } ?? []
                if let raw, let form {
                    report.rows +=
                        await runner.run("HTTP multipart upload") {
                            [try await MultipartScenario.run(context, file: form, raw: raw.megabytesPerSecond)]
                        } ?? []
                }
                if scenarios.contains(.download) {
                    report.rows +=
                        await runner.run("signed-URL download") {
                            [try await DownloadScenario.run(context, signedURL: ingest.url, file: file, nginx: nginx)]
                        } ?? []
                }
            }
        }
        await nginx?.stop()
        if scenarios.contains(.metadata) {
            report.rows +=
                await runner.run("metadata actions over WS") { try await MetadataScenario.run(context) } ?? []
        }
        if scenarios.contains(.listing) {
            report.rows += await runner.run("listing") { [try await ListingScenario.run(context)] } ?? []
        }
        if scenarios.contains(.fanout) {
            report.rows += await runner.run("group_upload fan-out") { [try await FanOutScenario.run(context)] } ?? []
        }
        if scenarios.contains(.easemob) {
            report.rows += await runner.run("Easemob face") { try await EasemobScenario.run(context) } ?? []
        }
        if scenarios.contains(.qiniu) {
            report.rows +=
                await runner.run("Qiniu IM face") { try await QiniuScenario.run(context, binary: binary) } ?? []
        }
        await server.stop()
        runner.server = nil
        // The file-based scenarios are done: give their disk space back before the large upload.
        if let file { workspace.remove(file) }
        if let form { workspace.remove(form) }
        if scenarios.contains(.small) {
            report.rows +=
                await runner.run("small durable uploads") {
                    try await withFreshServer("small", binary: binary, sizes: sizes, workspace: workspace) {
                        try await SmallUploadScenario.run($0)
                    }
                } ?? []
        }
        if scenarios.contains(.smallfiles) {
            report.rows +=
                await runner.run("small-file downloads") {
                    try await withFreshServer("smallfiles", binary: binary, sizes: sizes, workspace: workspace) {
                        [try await SmallFilesScenario.run($0)]
                    }
                } ?? []
        }
        if scenarios.contains(.concurrent) {
            report.rows +=
                await runner.run("concurrent large downloads") {
                    try await withFreshServer("concurrent", binary: binary, sizes: sizes, workspace: workspace) {
                        [try await ConcurrentDownloadScenario.run($0)]
                    }
                } ?? []
        }
        if scenarios.contains(.fragments) {
            report.rows +=
                await runner.run("fragmented transfers over a forward WebSocket") {
                    try await withFreshServer("fragments", binary: binary, sizes: sizes, workspace: workspace) {
                        try await FragmentsScenario.run($0)
                    }
                } ?? []
        }
        if scenarios.contains(.rss) {
            report.rows +=
                await runner.run("server RSS during a streaming upload") {
                    try await withFreshServer("rss", binary: binary, sizes: sizes, workspace: workspace) {
                        [try await RSSScenario.run($0)]
                    }
                } ?? []
        }
        if scenarios.contains(.metrics) {
            report.rows +=
                await runner.run("/metrics scrape") {
                    let groups = sizes.metricsGroups
                    log("seeding \(Format.count(groups)) groups of one file each over WebSocket")
                    try await Seeder.seed(
                        binary: binary, workspace: workspace, dataDir: workspace.root + "/data-metrics",
                        jobs: [
                            .init(group: BenchGroups.metricsFirst, count: groups, prefix: "scraped", groups: groups)
                        ],
                        log: log)
                    return try await withFreshServer("metrics", binary: binary, sizes: sizes, workspace: workspace) {
                        try await MetricsScenario.run($0)
                    }
                } ?? []
        }
        if scenarios.contains(.s3),
            let s3 = await runner.run(
                "S3 set-up (moto's server, awscli)",
                { try await S3Scenario.Setup.start(workspace: workspace, log: log) })
        {
            report.rows +=
                await runner.run("S3 upload and download against awscli") {
                    try await withFreshServer(
                        "s3", binary: binary, sizes: sizes, workspace: workspace,
                        blobs: s3.blobs(prefix: S3Scenario.transferPrefix)
                    ) { try await S3Scenario.transfers($0, setup: s3) }
                } ?? []
            report.rows +=
                await runner.run("server RSS during a streaming upload to S3") {
                    try await withFreshServer(
                        "s3-rss", binary: binary, sizes: sizes, workspace: workspace,
                        blobs: s3.blobs(prefix: S3Scenario.memoryPrefix)
                    ) { [try await S3Scenario.memory($0, setup: s3)] }
                } ?? []
            await s3.moto.stop()
        }
        report.failures += runner.failures
    }

    /// Runs `body` against a server of its own with a data directory of its own (`data-<name>`), whose memory no
    /// earlier scenario has touched; stops it whether `body` throws or not. `blobs` as in `TrefoilServer.start`.
    private func withFreshServer<T>(
        _ name: String, binary: String, sizes: BenchSizes, workspace: Workspace, blobs: String? = nil,
        _ body: (BenchContext) async throws -> T
    ) async throws -> T {
        let fresh = try await TrefoilServer.start(
            binary: binary, name: name, workspace: workspace, dataDir: workspace.root + "/data-\(name)", blobs: blobs)
        do {
            let result = try await body(BenchContext(sizes: sizes, workspace: workspace, server: fresh))
            try fresh.checkAlive()
            await fresh.stop()
            return result
        } catch {
            await fresh.stop()
            throw error
        }
    }

    /// Raises the soft limit on open files to the hard limit: the fan-out's 1,000 event clients and the load's
    /// connections each hold a descriptor, and many systems start processes at a soft limit of 1,024.
    private func raiseOpenFileLimit() {
        #if canImport(Glibc)
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
            let resource = RLIMIT_NOFILE
        #endif
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        if setrlimit(resource, &limit) != 0 {
            progress("could not raise the open-file limit to \(limit.rlim_max): \(String(cString: strerror(errno)))")
        }
    }

    private func locateBinary() throws -> String {
        let candidates = trefoil.map { [$0] } ?? [".build/release/trefoil", ".build/debug/trefoil"]
        for candidate in candidates {
            let path = candidate.hasPrefix("/") ? candidate : FileManager.default.currentDirectoryPath + "/" + candidate
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw ValidationError(
            "no trefoil binary at \(candidates.joined(separator: " or ")); "
                + "build one with `swift build -c release --product trefoil` or pass --trefoil PATH")
    }

    private func versionInfo(_ server: TrefoilServer) async throws -> String {
        let transfer = try await Curl.transfer(["\(server.base)/get_version_info"])
        let envelope = try transfer.okEnvelope("get_version_info")
        return Envelope.dataField(envelope, "app_version") as? String ?? "unknown"
    }
}

/// Runs scenarios one after another; a scenario that throws is recorded as failed and the rest go on.
struct ScenarioRunner {
    /// The shared server, checked before each scenario; nil once it has been stopped.
    var server: TrefoilServer?
    let log: @Sendable (String) -> Void
    var failures: [String] = []

    mutating func run<T>(_ name: String, _ body: () async throws -> T) async -> T? {
        do {
            try server?.checkAlive()
            let result = try await body()
            try server?.checkAlive()
            return result
        } catch {
            log("\(name) FAILED: \(error)")
            failures.append("\(name): \(error)")
            return nil
        }
    }
}

/// Removes the temp directory at the end, and on Ctrl-C.
final class Cleanup: Sendable {
    let workspace: Workspace
    let keep: Bool

    init(workspace: Workspace, keep: Bool) {
        self.workspace = workspace
        self.keep = keep
    }

    func removeOnInterrupt() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            let workspace = workspace
            let keep = keep
            source.setEventHandler {
                progress("interrupted; stopping")
                // Child processes share our process group and got the same signal from the terminal.
                Thread.sleep(forTimeInterval: 0.5)
                if !keep { workspace.removeAll() }
                exit(130)
            }
            source.resume()
            Cleanup.sources.withLock { $0.append(source) }
        }
    }

    func finish() {
        if keep {
            progress("kept \(workspace.root)")
        } else {
            workspace.removeAll()
        }
    }

    private static let sources = NSLockedBox<[any DispatchSourceSignal]>([])
}

/// A value behind a lock, for the few globals.
final class NSLockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.withLock { body(&value) }
    }
}

/// A progress line on stderr.
func progress(_ line: String) {
    FileHandle.standardError.write(Data("· \(line)\n".utf8))
}
