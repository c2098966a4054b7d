import Foundation
import Testing
import TrefoilTestSupport

@testable import TrefoilImaging

@Suite("Worker threads")
struct WorkerThreadsTests {
    @Test("as many jobs as the limit run at once, never more")
    func limit() async {
        let workers = WorkerThreads(limit: 2, name: "trefoil-test")
        let running = Locked((now: 0, peak: 0))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    await workers.run {
                        running.withLock {
                            $0.now += 1
                            $0.peak = max($0.peak, $0.now)
                        }
                        // Stay until two have overlapped, so that a pool running one at a time shows; then a while
                        // longer, so that a pool running more than two at once shows.
                        waitUntil { running.withLock { $0.peak >= 2 } }
                        waitUntil(atMost: .milliseconds(300)) { running.withLock { $0.now > 2 } }
                        running.withLock { $0.now -= 1 }
                    }
                }
            }
        }
        #expect(running.withLock { $0.peak } == 2)
    }

    @Test("jobs that block leave Swift's cooperative pool free for other work")
    func offTheCooperativePool() async {
        let workers = WorkerThreads(limit: ProcessInfo.processInfo.activeProcessorCount + 2, name: "trefoil-test")
        let result = await blockingJobsLeaveThePoolFree { job in await workers.run(job) }
        #expect(result.asyncWorkRan)
        #expect(result.jobsReleasedInTime)
    }
}
