import Foundation
import Synchronization
import TrefoilTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `trefoil serve` running as a child process on a free loopback port, its log collected as it comes.
final class ServeProcess: Sendable {
    let store: TempStoreConfig
    let port: Int
    private let process: TestChild
    /// The child's log comes through it; kept here, as the read end closes when it goes.
    private let pipe = Pipe()
    private let output = Mutex(Data())

    /// Starts the server (`binary`, the built `trefoil` unless given) with `server` as the config's `server` object
    /// (without `port`, which is picked here) and waits until it answers `/health`.
    static func start(server: String = "", extra: String = "", binary: String = trefoilBinary) async throws
        -> ServeProcess
    {
        var failures: [String] = []
        // A free port can be taken by a parallel test before the child binds it: pick another and try again.
        for _ in 0..<3 {
            let port = try freePort()
            let members = [#""port": \#(port)"#] + (server.isEmpty ? [] : [server])
            let json = #""server": {\#(members.joined(separator: ", "))}"# + (extra.isEmpty ? "" : ", " + extra)
            let child = try ServeProcess(store: TempStoreConfig(extra: json), port: port, binary: binary)
            if try await child.waitUntilServing() { return child }
            failures.append(child.log)
            child.store.remove()
        }
        throw LiveServerError(description: "trefoil serve did not start:\n\(failures.joined(separator: "\n---\n"))")
    }

    private init(store: TempStoreConfig, port: Int, binary: String) throws {
        self.store = store
        self.port = port
        process = try TestChild(
            binary, ["serve", "--config", store.configPath], standardOutput: .pipe(pipe), standardError: .pipe(pipe))
        // The pipe holds what the child writes before this is set.
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
            } else {
                self?.output.withLock { $0.append(data) }
            }
        }
    }

    /// Everything the child has logged so far.
    var log: String { output.withLock { String(decoding: $0, as: UTF8.self) } }

    var isRunning: Bool { process.isRunning }

    /// Polls `/health` for up to 60 s; false when the child exited first.
    private func waitUntilServing() async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { return false }
            let port = self.port
            let answered = try await offCooperativePool { () -> Bool in
                (try? loopbackGet("/health", port: port))?.hasPrefix("HTTP/1.1 200") ?? false
            }
            if answered { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Sends SIGTERM, as a service manager stopping it would.
    func terminate() { process.terminate() }

    /// Sends SIGKILL, as a power cut would look to the process, and waits until it is gone.
    func killNow() async throws {
        process.send(SIGKILL)
        try await offCooperativePool { [process] in process.waitUntilExit() }
    }

    /// Waits up to `limit` for the child to exit; returns its exit status, or nil (after killing it) when it was
    /// still running, so that a hang fails the test instead of stalling the run.
    func waitForExit(within limit: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else {
            process.send(SIGKILL)
            try await offCooperativePool { [process] in process.waitUntilExit() }
            return nil
        }
        return process.terminationStatus
    }
}
