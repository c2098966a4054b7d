import Logging
import ServiceLifecycle
import Synchronization

/// Runs `_async` actions concurrently and `_rate_limited` actions one at a time, in order.
///
/// A `Service`, so that graceful shutdown stops taking jobs and lets the running ones finish.
public final class BackgroundActions: Service, Sendable {
    public typealias Job = @Sendable () async -> Void

    private let concurrent: AsyncStream<Job>.Continuation
    private let concurrentJobs: AsyncStream<Job>
    private let serial: AsyncStream<Job>.Continuation
    private let serialJobs: AsyncStream<Job>
    private let open = Mutex(true)
    private let logger: Logger

    init(logger: Logger) {
        (concurrentJobs, concurrent) = AsyncStream.makeStream(of: Job.self)
        (serialJobs, serial) = AsyncStream.makeStream(of: Job.self)
        self.logger = logger
    }

    /// Starts `job` now, beside the others; false once shutdown has begun.
    func start(_ job: @escaping Job) -> Bool {
        open.withLock { $0 } && concurrent.yield(job).isEnqueued
    }

    /// Queues `job` behind the other rate-limited jobs; false once shutdown has begun.
    func enqueue(_ job: @escaping Job) -> Bool {
        open.withLock { $0 } && serial.yield(job).isEnqueued
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { [serialJobs] in
                for await job in serialJobs { await job() }
            }
            group.addTask { [concurrentJobs] in
                await withDiscardingTaskGroup { jobs in
                    for await job in concurrentJobs { jobs.addTask { await job() } }
                }
            }
            group.addTask { [self] in
                try? await gracefulShutdown()
                open.withLock { $0 = false }
                concurrent.finish()
                serial.finish()
            }
        }
    }
}

extension AsyncStream.Continuation.YieldResult {
    var isEnqueued: Bool {
        if case .enqueued = self { return true }
        return false
    }
}
