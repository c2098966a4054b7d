import Foundation
import Synchronization

/// Runs blocking jobs on threads of its own, at most `limit` at once, so that they never hold one of the few threads
/// of Swift's cooperative pool (which serve every upload and download) while they decode.
///
/// Threads start when jobs come and end when none wait, so an idle instance holds no thread and needs no shutdown.
final class WorkerThreads: Sendable {
    private struct State {
        var running = 0
        var waiting: [@Sendable () -> Void] = []
    }

    private let limit: Int
    private let name: String
    private let atThreadExit: @Sendable () -> Void
    private let state = Mutex(State())

    /// `atThreadExit` runs on each thread before it ends, after its last job.
    init(limit: Int, name: String, atThreadExit: @escaping @Sendable () -> Void = {}) {
        precondition(limit >= 1, "a worker pool needs at least one thread")
        self.limit = limit
        self.name = name
        self.atThreadExit = atThreadExit
    }

    /// `job`'s result, once a thread has run it; waits (without blocking) while `limit` jobs are running.
    func run<T: Sendable>(_ job: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            submit { continuation.resume(returning: job()) }
        }
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        let startsThread = state.withLock { state in
            guard state.running < limit else {
                state.waiting.append(job)
                return false
            }
            state.running += 1
            return true
        }
        guard startsThread else { return }
        let thread = Thread { [self] in
            var next: (@Sendable () -> Void)? = job
            while let job = next {
                job()
                next = state.withLock { state in
                    guard !state.waiting.isEmpty else {
                        state.running -= 1
                        return nil
                    }
                    return state.waiting.removeFirst()
                }
            }
            atThreadExit()
        }
        thread.name = name
        thread.start()
    }
}
