import Foundation
import Testing

@Suite("Test teardown of live servers", .timeLimit(.minutes(3)))
struct StopsLiveServersTests {
    @Test("servers a test left running are stopped and removed by its teardown; a second stop does nothing")
    func teardownStopsWhatTheTestLeft() async throws {
        let started = StartedServers()
        let (kept, left) = try await StartedServers.$current.withValue(started) {
            (try await LiveServer.start(), try await LiveServer.start())
        }
        await kept.stop()
        #expect(kept.isStopped && !left.isStopped)
        #expect(e2eCanConnect(port: left.port))

        await started.stopAll(removingFiles: true)
        #expect(left.isStopped)
        #expect(!e2eCanConnect(port: left.port))
        #expect(!FileManager.default.fileExists(atPath: left.root))
        #expect(!FileManager.default.fileExists(atPath: kept.root))
        // Stopping again (the test's own stop after the teardown's, or the reverse) is harmless.
        await left.stop()
    }
}
