import Foundation

/// A `trefoil serve` child process on a loopback port, with its config and data in the bench's
/// temp directory.
final class TrefoilServer: Sendable {
    let port: Int
    let dataDir: String
    let configPath: String
    private let child: BackgroundProcess

    var base: String { "http://127.0.0.1:\(port)" }
    var webSocketBase: String { "ws://127.0.0.1:\(port)" }
    var pid: Int32 { child.pid }

    /// Writes a config, starts the binary and waits until it answers `get_version_info`.
    ///
    /// `wrapper` runs the server under another program (eatmydata while seeding); `blobs` is a `"blobs": {…}` member
    /// of the storage section (the local folder when nil).
    static func start(
        binary: String,
        name: String,
        workspace: Workspace,
        dataDir: String,
        wrapper: String? = nil,
        sections: [String] = [],
        blobs: String? = nil
    ) async throws -> TrefoilServer {
        let port = try freeLoopbackPort()
        let configPath = "\(workspace.root)/\(name).json"
        try config(port: port, dataDir: dataDir, localRoot: workspace.root, sections: sections, blobs: blobs)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let arguments = ["serve", "--config", configPath]
        let child: BackgroundProcess
        if let wrapper {
            child = try BackgroundProcess(
                wrapper, ["--", binary] + arguments, logPath: "\(workspace.root)/\(name).log",
                environment: ["LOG_LEVEL": "warning"])
        } else {
            child = try BackgroundProcess(
                binary, arguments, logPath: "\(workspace.root)/\(name).log", environment: ["LOG_LEVEL": "warning"])
        }
        let server = TrefoilServer(port: port, dataDir: dataDir, configPath: configPath, child: child)
        try await server.waitUntilReady()
        return server
    }

    private init(port: Int, dataDir: String, configPath: String, child: BackgroundProcess) {
        self.port = port
        self.dataDir = dataDir
        self.configPath = configPath
        self.child = child
    }

    /// The config: no token (loopback only), no heartbeat or outbound transports, limits wide
    /// enough for the 100,000-file folder and the 2 GiB upload, local paths allowed from the
    /// bench's temp directory. `sections` are more top-level members (a face's section), added only when a
    /// scenario needs them so that older binaries, which refuse keys they do not know, still run the rest; `blobs` the
    /// same for the storage section.
    static func config(
        port: Int, dataDir: String, localRoot: String, sections: [String] = [], blobs: String? = nil
    ) -> String {
        """
        {
          "self_id": 10000,
          "nickname": "Trefoil bench",
          "access_token": "",
          "server": {
            "host": "127.0.0.1",
            "port": \(port),
            "public_url": "http://127.0.0.1:\(port)",
            "max_body_bytes": 17179869184,
            "ws_max_message_bytes": 67108864
          },
          "heartbeat": { "enable": false, "interval_ms": 15000 },
          "reverse_ws": [],
          "http_post": [],
          "storage": { "data_dir": "\(dataDir)"\(blobs.map { ",\n    " + $0 } ?? "") },
          "limits": {
            "max_file_bytes": 17179869184,
            "group_total_space": 1099511627776,
            "group_file_limit": 1000000,
            "max_folder_depth": 8
          },
          "retention": { "group_file_days": 0, "private_file_days": 7 },
          "upload": {
            "local_roots": ["\(localRoot)"],
            "url_fetch_timeout_ms": 60000,
            "allow_private_networks": false,
            "compute_sha3": false
          },
          "download": { "url_ttl_seconds": 86400, "signing_key": "" }\(sections.map { ",\n  " + $0 }.joined())
        }
        """
    }

    private func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            guard child.isRunning else {
                throw BenchError("the server exited during start-up:\n\(child.logTail())")
            }
            if let result = try? await ChildProcess.run(
                "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", "\(base)/get_version_info"]),
                result.output == "200"
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        await child.stop()
        throw BenchError("the server did not answer within \(timeout):\n\(child.logTail())")
    }

    /// Fails with the log's tail when the server has died.
    func checkAlive() throws {
        guard child.isRunning else { throw BenchError("the server died:\n\(child.logTail())") }
    }

    /// Stops the server as Ctrl-C would and waits for it to exit.
    func stop() async { await child.stop() }
}

/// A loopback port that was free a moment ago (bound to port 0, read back, closed).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw BenchError("bind() failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw BenchError("getsockname() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}
