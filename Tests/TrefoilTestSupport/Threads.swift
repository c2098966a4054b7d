import Foundation
import Synchronization

/// A value a test and the jobs it starts on other threads share.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    public func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result { mutex.withLock { body(&$0) } }
}

/// Blocks the calling thread until `condition` holds (true) or `atMost` passes (false). The default is long enough
/// for any machine and short enough that a broken pool fails the test instead of hanging it.
@discardableResult
public func waitUntil(atMost limit: Duration = .seconds(10), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        usleep(1_000)
    }
    return true
}

/// Hands more blocking jobs to `runBlocking` (the code under test, which should run each on a thread of its own) than
/// Swift's cooperative pool has threads, and checks, while every job blocks its thread, that async work still runs.
/// A `runBlocking` that runs jobs on the pool itself starves the pool: jobs give up waiting after 60 seconds
/// (`jobsReleasedInTime` false), or the async work cannot run.
public func blockingJobsLeaveThePoolFree(
    _ runBlocking: @escaping @Sendable (_ job: @escaping @Sendable () -> Void) async -> Void
) async -> (asyncWorkRan: Bool, jobsReleasedInTime: Bool) {
    let jobs = ProcessInfo.processInfo.activeProcessorCount + 2
    let state = Locked((started: 0, released: false, releasedInTime: true))
    let sum = await withTaskGroup(of: Void.self) { group in
        for _ in 0..<jobs {
            group.addTask {
                await runBlocking {
                    state.withLock { $0.started += 1 }
                    // 60 s: at the start of a full run the pool is crowded with every suite's first steps, and the
                    // async work below once took more than 10 s to get its turn (more than 30 s in a CI dry run on a
                    // slower host); a pool that the jobs starve never gives it one, so a broken `runBlocking` still
                    // fails.
                    if !waitUntil(atMost: .seconds(60), { state.withLock { $0.released } }) {
                        state.withLock { $0.releasedInTime = false }
                    }
                }
            }
        }
        while state.withLock({ $0.started }) < jobs { try? await Task.sleep(for: .milliseconds(5)) }
        // Every job now blocks a thread.
        let sum = await withTaskGroup(of: Int.self) { inner in
            for value in 1...10 { inner.addTask { value } }
            return await inner.reduce(0, +)
        }
        state.withLock { $0.released = true }
        return sum
    }
    return (sum == 55, state.withLock { $0.releasedInTime })
}
