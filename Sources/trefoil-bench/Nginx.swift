import Foundation

/// nginx serving the bench's test files from disk on a loopback port: the download baseline.
/// Installed with apt-get when it is missing (as root); runs as the bench's own child process
/// with a generated config, in the foreground, stopped at the end.
final class Nginx: Sendable {
    let port: Int
    private let child: BackgroundProcess

    var base: String { "http://127.0.0.1:\(port)" }

    static func start(workspace: Workspace, log: (String) -> Void) async throws -> Nginx {
        try await Installer.ensure("nginx", package: "nginx", log: log)
        let port = try freeLoopbackPort()
        let prefix = workspace.root + "/nginx"
        try FileManager.default.createDirectory(atPath: prefix + "/logs", withIntermediateDirectories: true)
        let configPath = prefix + "/nginx.conf"
        try config(port: port, prefix: prefix, root: workspace.filesDir)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let child = try BackgroundProcess(
            "nginx", ["-c", configPath, "-p", prefix + "/"], logPath: prefix + "/logs/stdout.log")
        let nginx = Nginx(port: port, child: child)
        try await nginx.waitUntilReady()
        return nginx
    }

    private init(port: Int, child: BackgroundProcess) {
        self.port = port
        self.child = child
    }

    /// One worker (the server under test is one process too), sendfile on, no access log; keep-alive connections
    /// are never closed for their request count (nginx's default of 1,000 would end a load connection mid-window).
    static func config(port: Int, prefix: String, root: String) -> String {
        """
        daemon off;
        worker_processes 1;
        pid \(prefix)/nginx.pid;
        error_log \(prefix)/logs/error.log warn;
        events { worker_connections 1024; }
        http {
            access_log off;
            sendfile on;
            tcp_nopush on;
            keepalive_requests 100000000;
            keepalive_timeout 300s;
            default_type application/octet-stream;
            client_body_temp_path \(prefix)/client_body;
            proxy_temp_path \(prefix)/proxy;
            fastcgi_temp_path \(prefix)/fastcgi;
            uwsgi_temp_path \(prefix)/uwsgi;
            scgi_temp_path \(prefix)/scgi;
            server {
                listen 127.0.0.1:\(port);
                root \(root);
            }
        }
        """
    }

    private func waitUntilReady() async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(15)
        while clock.now < deadline {
            guard child.isRunning else { throw BenchError("nginx exited at start-up:\n\(child.logTail())") }
            if let result = try? await ChildProcess.run(
                "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", "\(base)/"]),
                ["200", "403", "404"].contains(result.output)
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        await child.stop()
        throw BenchError("nginx did not answer within 15 s:\n\(child.logTail())")
    }

    func stop() async { await child.stop() }
}

/// Installs a Debian package when its program is missing, as the bench's setup.
enum Installer {
    static func ensure(_ program: String, package: String, log: (String) -> Void) async throws {
        if ChildProcess.find(program) != nil { return }
        guard getuid() == 0 else {
            throw BenchError("\(program) is missing; install it with: sudo apt-get install \(package)")
        }
        log("installing \(package) with apt-get")
        let environment = ["DEBIAN_FRONTEND": "noninteractive"]
        _ = try? await ChildProcess.run("apt-get", ["update", "-qq"], environment: environment)
        try await ChildProcess.check("apt-get", ["install", "-y", "-qq", package], environment: environment)
        guard ChildProcess.find(program) != nil else { throw BenchError("\(package) installed no \(program)") }
    }
}
