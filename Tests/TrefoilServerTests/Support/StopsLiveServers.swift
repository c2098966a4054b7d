import Synchronization
import Testing

/// Stops every `LiveServer` a test started and did not stop, at the end of the test, also when it threw before
/// its own `stop()` (and then removes their folders): a failed test must not leave a server running for the rest
/// of the run, holding its port and dialling reverse WebSocket ports that later tests reuse.
struct StopsLiveServers: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard !test.isSuite else { return try await function() }
        let started = StartedServers()
        do {
            try await StartedServers.$current.withValue(started) { try await function() }
        } catch {
            await started.stopAll(removingFiles: true)
            throw error
        }
        await started.stopAll(removingFiles: false)
    }
}

extension SuiteTrait where Self == StopsLiveServers {
    /// Stops the servers each test of the suite leaves running.
    static var stopsLiveServers: Self { StopsLiveServers() }
}

/// The servers one test started, in order.
final class StartedServers: Sendable {
    @TaskLocal static var current: StartedServers?

    private let servers = Mutex<[LiveServer]>([])

    func add(_ server: LiveServer) { servers.withLock { $0.append(server) } }

    func stopAll(removingFiles: Bool) async {
        for server in servers.withLock({ $0 }) {
            if !server.isStopped { await server.stop() }
            if removingFiles { server.removeFiles() }
        }
    }
}
