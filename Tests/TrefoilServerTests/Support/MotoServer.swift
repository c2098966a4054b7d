import Foundation
import TrefoilConfiguration

@testable import TrefoilS3

/// moto's S3 server (from PyPI, in `.build/s3-venv`, made from Tests/s3/requirements.txt) on a loopback port: a real
/// S3 implementation for the S3 tests. One plain server and one that authenticates every request are shared by the
/// whole test process; each stops by itself when the process ends (Tests/s3/moto_server.py).
struct MotoServer: Sendable {
    let endpoint: String
    let credentials: AWSCredentials
    /// Whether the server checks every request's signature against an IAM user's keys.
    let authenticates: Bool

    /// A client of `bucket` on this server (path-style, as self-hosted stores are addressed).
    func configuration(bucket: String, credentials: AWSCredentials? = nil, timeout: Duration = .seconds(30))
        -> S3Configuration
    {
        S3Configuration(
            endpoint: endpoint, region: "us-east-1", bucket: bucket, pathStyle: true,
            credentials: credentials ?? self.credentials, timeout: timeout)
    }

    /// The shared plain server (no authentication: any keys are accepted).
    static func plain() async throws -> MotoServer { try await MotoServers.shared.server(authenticating: false) }

    /// A new, empty bucket on this server; `name` is used when given (an existing bucket of that name is kept).
    func makeBucket(_ name: String? = nil) async throws -> String {
        let bucket = name ?? "trefoil-\(UUID().uuidString.lowercased().prefix(13))"
        let client = try S3Client(configuration: configuration(bucket: bucket), http: s3TestHTTP)
        do {
            _ = try await client.send("PUT", key: nil, operation: "CREATE BUCKET \(bucket)")
        } catch let error as S3Error
            where error.code == "BucketAlreadyOwnedByYou" || error.code == "BucketAlreadyExists"
        {
        }
        return bucket
    }

    /// `config` pointed at `bucket` of this server, with unused objects removed at once (as the local folder does),
    /// so that tests written for the local folder see the same store.
    func use(bucket: String, in config: inout TrefoilConfig, partSize: Int64 = 5 << 20) {
        config.storage.blobs.backend = "s3"
        config.storage.blobs.s3.endpoint = endpoint
        config.storage.blobs.s3.bucket = bucket
        config.storage.blobs.s3.accessKeyID = credentials.accessKeyID
        config.storage.blobs.s3.secretAccessKey = credentials.secretAccessKey
        config.storage.blobs.s3.partSizeBytes = partSize
        config.storage.blobs.s3.deleteGraceSeconds = 0
    }

    /// A plain server of the caller's own, with its process id, for a test that stops it answering (`SIGSTOP`). It
    /// stops by itself when the test process ends.
    static func dedicated() async throws -> (MotoServer, pid: Int32) {
        try await MotoServers.shared.dedicated()
    }

    /// The shared server that checks signatures; `credentials` are its IAM user's.
    static func authenticating() async throws -> MotoServer {
        try await MotoServers.shared.server(authenticating: true)
    }
}

/// The HTTP client of the S3 tests: short connect and read bounds, shared by every test (never shut down).
let s3TestHTTP = S3Client.httpClient(timeout: .seconds(10))

/// Starts each kind of server once, one at a time (the two share the venv, which is made once).
private actor MotoServers {
    static let shared = MotoServers()
    private var starting: [Bool: Task<MotoServer, any Error>] = [:]
    /// The children, kept for as long as the process runs.
    private var children: [E2EChild] = []
    private var python: Task<String, any Error>?

    func server(authenticating: Bool) async throws -> MotoServer {
        if let task = starting[authenticating] { return try await task.value }
        let venv = python ?? Task { try await Self.venv() }
        python = venv
        let task = Task { try await start(authenticating: authenticating, python: try await venv.value) }
        starting[authenticating] = task
        return try await task.value
    }

    func dedicated() async throws -> (MotoServer, pid: Int32) {
        let venv = python ?? Task { try await Self.venv() }
        python = venv
        let server = try await start(authenticating: false, python: try await venv.value)
        return (server, children.last!.process.processIdentifier)
    }

    private static func venv() async throws -> String {
        try await e2eEnsureVenv(
            packageRoot: e2ePackageRoot(), requirements: "Tests/s3/requirements.txt", venv: "s3-venv")
    }

    private func keep(_ child: E2EChild) { children.append(child) }

    private func start(authenticating: Bool, python: String) async throws -> MotoServer {
        let root = e2ePackageRoot()
        let port = try e2eFreePort()
        var environment = e2eCleanEnvironment()
        // Three unauthenticated actions make the IAM user; every request after them is authenticated.
        if authenticating { environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "3" }
        let child = try E2EChild(
            python, [root + "/Tests/s3/moto_server.py", "--port", "\(port)"], environment: environment)
        let listening = await e2eWait(timeout: .seconds(60)) {
            !child.process.isRunning || e2eCanConnect(port: port)
        }
        guard listening, child.process.isRunning else {
            let run = await child.finish(timeout: .seconds(5))
            throw E2ESetupError(
                description: "moto's server did not start on port \(port):\n\(e2eTail(run.output))\n"
                    + e2eTail(run.errors))
        }
        keep(child)
        let endpoint = "http://127.0.0.1:\(port)"
        var credentials = AWSCredentials(accessKeyID: "trefoil-test", secretAccessKey: "not-checked")
        if authenticating {
            let made = try await e2eRun(
                python, [root + "/Tests/s3/moto_credentials.py", "--endpoint", endpoint],
                environment: e2eCleanEnvironment(), timeout: .seconds(60))
            guard made.status == 0,
                let line = made.output.split(separator: "\n").last,
                let keys = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String],
                let id = keys["access_key_id"], let secret = keys["secret_access_key"]
            else {
                throw E2ESetupError(
                    description: "moto_credentials.py failed (exit \(made.status)):\n\(e2eTail(made.output))\n"
                        + e2eTail(made.errors))
            }
            credentials = AWSCredentials(accessKeyID: id, secretAccessKey: secret)
        }
        return MotoServer(endpoint: endpoint, credentials: credentials, authenticates: authenticating)
    }
}
