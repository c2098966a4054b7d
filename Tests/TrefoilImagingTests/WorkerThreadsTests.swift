import Foundation
import Synchronization
import Testing

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

/// Blocks the calling thread until `condition` holds (true) or `atMost` passes (false). The default is long enough
/// for any machine and short enough that a broken pool fails the test instead of hanging it.
@discardableResult
private func waitUntil(atMost limit: Duration = .seconds(10), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        usleep(1_000)
    }
    return true
}

/// A value the test and its jobs on other threads share.
private final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result { mutex.withLock { body(&$0) } }
}
