import Foundation
import Testing
import TrefoilTestSupport

@testable import TrefoilMedia

@Suite("Concurrency")
struct ConcurrencyTests {
    let directory = makeTempDirectory(prefix: "trefoil-media")

    @Test("calls at once each get their own result")
    func concurrentCalls() async throws {
        // Eight covers, each of its own size, and eight transcodes, through a tool running two at once.
        let sizes = (0..<8).map { (width: 160 + 16 * $0, height: 120 + 8 * $0) }
        for (index, size) in sizes.enumerated() {
            try await makeVideo(at: "\(directory)/\(index).mp4", width: size.width, height: size.height)
        }
        try await makeTone(at: "\(directory)/tone.mp3")
        let tool = MediaTool(concurrency: 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in sizes.indices {
                group.addTask {
                    _ = try await tool.videoCover(
                        source: "\(directory)/\(index).mp4", output: "\(directory)/\(index).jpg")
                }
                group.addTask {
                    _ = try await tool.transcodeVoice(
                        source: "\(directory)/tone.mp3", to: .amr, output: "\(directory)/\(index).amr")
                }
            }
            try await group.waitForAll()
        }
        for (index, size) in sizes.enumerated() {
            let probe = try await Probe("\(directory)/\(index).jpg")
            #expect((probe.width, probe.height) == (size.width, size.height), "cover \(index)")
            #expect(MediaTool.voiceFormat(ofFileAt: "\(directory)/\(index).amr") == .amr, "voice \(index)")
        }
    }

    @Test("as many runs as the limit hold a slot at once, never more")
    func slotLimit() async {
        let slots = ProcessSlots(limit: 2)
        let running = Locked((now: 0, peak: 0))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try? await slots.withSlot { () async throws(MediaError) in
                        running.withLock {
                            $0.now += 1
                            $0.peak = max($0.peak, $0.now)
                        }
                        // Stay until two have overlapped, so that slots taken one at a time show; then a while
                        // longer, so that more than two at once show.
                        await pollUntil { running.withLock { $0.peak >= 2 } }
                        await pollUntil(atMost: .milliseconds(300)) { running.withLock { $0.now > 2 } }
                        running.withLock { $0.now -= 1 }
                    }
                }
            }
        }
        #expect(running.withLock { $0.peak } == 2)
    }

    @Test("a run that blocks its thread leaves Swift's cooperative pool free for other work")
    func offTheCooperativePool() async {
        let result = await blockingJobsLeaveThePoolFree { job in await onThreadOfItsOwn(job) }
        #expect(result.asyncWorkRan)
        #expect(result.jobsReleasedInTime)
    }
}

/// Waits (without blocking a thread) until `condition` holds or `atMost` passes. The default is long enough for any
/// machine and short enough that a broken bound fails the test instead of hanging it.
private func pollUntil(atMost limit: Duration = .seconds(10), _ condition: () -> Bool) async {
    let deadline = ContinuousClock.now + limit
    while !condition() && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(1)) }
}
