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
        // More blocked jobs than the cooperative pool has threads.
        let jobs = ProcessInfo.processInfo.activeProcessorCount + 2
        let workers = WorkerThreads(limit: jobs, name: "trefoil-test")
        let state = Locked((started: 0, released: false))
        let releasedInTime = Locked(true)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<jobs {
                group.addTask {
                    await workers.run {
                        state.withLock { $0.started += 1 }
                        if !waitUntil({ state.withLock { $0.released } }) { releasedInTime.withLock { $0 = false } }
                    }
                }
            }
            while state.withLock({ $0.started }) < jobs { try? await Task.sleep(for: .milliseconds(5)) }
            // Every job now blocks a thread; async work still runs.
            let sum = await withTaskGroup(of: Int.self) { inner in
                for value in 1...10 { inner.addTask { value } }
                return await inner.reduce(0, +)
            }
            #expect(sum == 55)
            state.withLock { $0.released = true }
        }
        #expect(releasedInTime.withLock { $0 })
    }
}
