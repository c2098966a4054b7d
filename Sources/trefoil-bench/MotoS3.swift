import Foundation

/// moto's S3 server (Tests/s3/moto_server.py, from `.build/s3-venv` as the tests run it) on a loopback port: the
/// bucket both trefoil and the awscli baseline write to. It accepts any keys. Stopped at the end of the S3 rows; if
/// the bench dies first, the script exits by itself once its parent is gone.
final class MotoS3: Sendable {
    let endpoint: String
    private let child: BackgroundProcess

    static func start(workspace: Workspace, log: (String) -> Void) async throws -> MotoS3 {
        let python = try await PythonVenv.ensure(requirements: "Tests/s3/requirements.txt", venv: "s3-venv", log: log)
        let port = try freeLoopbackPort()
        let child = try BackgroundProcess(
            python, [try PythonVenv.packageRoot() + "/Tests/s3/moto_server.py", "--port", "\(port)"],
            logPath: workspace.root + "/moto.log", environment: ["PYTHONUNBUFFERED": "1"])
        let moto = MotoS3(endpoint: "http://127.0.0.1:\(port)", child: child)
        do {
            try await moto.waitUntilReady()
        } catch {
            await moto.stop()
            throw error
        }
        return moto
    }

    private init(endpoint: String, child: BackgroundProcess) {
        self.endpoint = endpoint
        self.child = child
    }

    /// moto answers `GET /` (ListBuckets) once it listens; importing moto takes a few seconds.
    private func waitUntilReady() async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while clock.now < deadline {
            guard child.isRunning else { throw BenchError("moto's server exited at start-up:\n\(child.logTail())") }
            if let result = try? await ChildProcess.run(
                "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", endpoint + "/"]),
                result.output == "200"
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("moto's server did not answer within 60 s:\n\(child.logTail())")
    }

    func checkAlive() throws {
        guard child.isRunning else { throw BenchError("moto's server died:\n\(child.logTail())") }
    }

    func stop() async { await child.stop() }

    /// `storage.blobs` of a trefoil that keeps its blobs under `prefix` in `bucket` of this server (path-style, as
    /// self-hosted stores are addressed; any keys do).
    func blobsSection(bucket: String, prefix: String) -> String {
        """
        "blobs": {
              "backend": "s3",
              "s3": {
                "endpoint": \(Envelope.quote(endpoint)),
                "bucket": \(Envelope.quote(bucket)),
                "prefix": \(Envelope.quote(prefix)),
                "access_key_id": "trefoil-bench",
                "secret_access_key": "not-checked",
                "path_style": true
              }
            }
        """
    }
}

/// The `aws` command line (awscli from Tests/s3/awscli-requirements.txt, in `.build/awscli-venv`) pointed at moto:
/// the baseline of the S3 rows, run as a user would run it and timed around the whole command.
struct AWSCLI: Sendable {
    let executable: String
    let endpoint: String
    /// Its whole environment: dummy keys, and config files that do not exist so that no `~/.aws` setting (a profile,
    /// `max_concurrent_requests`) changes the baseline.
    let environment: [String: String]
    /// `aws-cli/1.45.11`, as `aws --version` says.
    var version = ""

    static func make(endpoint: String, workspace: Workspace, log: (String) -> Void) async throws -> AWSCLI {
        let python = try await PythonVenv.ensure(
            requirements: "Tests/s3/awscli-requirements.txt", venv: "awscli-venv", log: log)
        let inherited = ProcessInfo.processInfo.environment
        var environment = [
            "AWS_ACCESS_KEY_ID": "trefoil-bench", "AWS_SECRET_ACCESS_KEY": "not-checked",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": workspace.root + "/aws-config-none",
            "AWS_SHARED_CREDENTIALS_FILE": workspace.root + "/aws-credentials-none",
            "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1,localhost", "LANG": "C.UTF-8",
        ]
        for key in ["PATH", "HOME", "TMPDIR"] { environment[key] = inherited[key] }
        var aws = AWSCLI(
            executable: (python as NSString).deletingLastPathComponent + "/aws", endpoint: endpoint,
            environment: environment)
        let printed = try await aws.run(["--version"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        log("awscli: \(printed)")
        aws.version = printed.split(separator: " ").first.map(String.init) ?? "awscli"
        return aws
    }

    /// `aws ARGUMENTS --endpoint-url ENDPOINT`, checked; its wall time is the command's from launch to exit.
    @discardableResult
    func run(_ arguments: [String]) async throws -> CommandResult {
        try await ChildProcess.check(
            executable, arguments + (arguments.first == "--version" ? [] : ["--endpoint-url", endpoint]),
            environment: environment, inherit: false)
    }

    func makeBucket(_ bucket: String) async throws {
        try await run(["s3", "mb", "s3://\(bucket)"])
    }

    /// `aws s3 cp FILE s3://bucket/key`: its MB/s.
    func upload(_ file: String, bytes: Int64, to bucket: String, key: String) async throws -> Double {
        let result = try await run(["s3", "cp", "--only-show-errors", file, "s3://\(bucket)/\(key)"])
        try await checkObject(bucket: bucket, key: key, bytes: bytes)
        return megabytesPerSecond(bytes: bytes, seconds: result.elapsed.seconds)
    }

    /// `aws s3 cp s3://bucket/key /dev/null` of an object `bytes` long: its MB/s. awscli writes a character device
    /// in order, without the temp file it renames into place for a regular file.
    func download(bucket: String, key: String, bytes: Int64) async throws -> Double {
        let result = try await run(["s3", "cp", "--only-show-errors", "s3://\(bucket)/\(key)", "/dev/null"])
        return megabytesPerSecond(bytes: bytes, seconds: result.elapsed.seconds)
    }

    /// Fails unless `key` is in the bucket with `bytes` bytes (`aws s3api head-object`).
    func checkObject(bucket: String, key: String, bytes: Int64) async throws {
        let head = try await run(["s3api", "head-object", "--bucket", bucket, "--key", key])
        let length = (Envelope.parse(head.output)?["ContentLength"] as? NSNumber)?.int64Value
        guard length == bytes else {
            throw BenchError(
                "s3://\(bucket)/\(key) holds \(length.map(String.init) ?? "?") bytes, not \(bytes)")
        }
    }
}
