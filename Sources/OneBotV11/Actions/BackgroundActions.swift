import Logging
import ServiceLifecycle
import Synchronization

/// Runs `_async` actions concurrently and `_rate_limited` actions one at a time, in order.
///
/// A `Service`, so that graceful shutdown stops taking jobs and lets the running ones finish.
///
/// Every job is held from the moment it is accepted until it ends, queued or running, and with it the
/// request it came from (a base64 upload holds its whole file as text). So the jobs held at once are
/// bounded twice: by number (`Limits.maxActions`, which also bounds how many uploads run with their own
/// ingest buffers) and by the size of their requests (`Limits.maxBytes`; a running base64 upload holds
/// its decoded bytes besides, so about twice that at most). A job over either bound is refused at once,
/// never queued. Measured with 300 concurrent `_async` uploads of 4 MiB over HTTP: unbounded they added
/// 1.9 GB to the process; with 64 actions and 128 MiB, 220 MB.
public final class BackgroundActions: Service, Sendable {
    public typealias Job = @Sendable () async -> Void

    /// How much background work may be held at once.
    public struct Limits: Sendable, Equatable {
        /// `_async` and `_rate_limited` actions accepted and not yet finished, together.
        public var maxActions: Int
        /// The total size of their requests, as `Params.heldBytes` counts it.
        public var maxBytes: Int64

        public init(maxActions: Int, maxBytes: Int64) {
            self.maxActions = maxActions
            self.maxBytes = maxBytes
        }
    }

    /// Whether a job was taken.
    public enum Admission: Sendable, Equatable {
        case accepted
        /// Over `Limits`; nothing was queued.
        case full
        case shuttingDown
    }

    public let limits: Limits
    private let concurrent: AsyncStream<Job>.Continuation
    private let concurrentJobs: AsyncStream<Job>
    private let serial: AsyncStream<Job>.Continuation
    private let serialJobs: AsyncStream<Job>
    private let state = Mutex(Held())
    private let logger: Logger

    private struct Held {
        var open = true
        var actions = 0
        var bytes: Int64 = 0
    }

    init(limits: Limits, logger: Logger) {
        (concurrentJobs, concurrent) = AsyncStream.makeStream(of: Job.self)
        (serialJobs, serial) = AsyncStream.makeStream(of: Job.self)
        self.limits = limits
        self.logger = logger
    }

    /// Actions accepted and not yet finished, and the bytes of their requests.
    public var held: (actions: Int, bytes: Int64) { state.withLock { ($0.actions, $0.bytes) } }

    /// Starts `job` now, beside the others, holding `bytes` until it ends.
    func start(_ job: @escaping Job, bytes: Int64) -> Admission {
        admit(job, bytes: bytes, into: concurrent)
    }

    /// Queues `job` behind the other rate-limited jobs, holding `bytes` until it ends.
    func enqueue(_ job: @escaping Job, bytes: Int64) -> Admission {
        admit(job, bytes: bytes, into: serial)
    }

    private func admit(_ job: @escaping Job, bytes: Int64, into jobs: AsyncStream<Job>.Continuation) -> Admission {
        let admission = state.withLock { held -> Admission in
            guard held.open else { return .shuttingDown }
            guard held.actions < limits.maxActions, bytes <= limits.maxBytes - held.bytes else { return .full }
            held.actions += 1
            held.bytes += bytes
            return .accepted
        }
        guard admission == .accepted else { return admission }
        let wrapped: Job = { [self] in
            await job()
            release(bytes)
        }
        // The lock is not held across the yield: a stream finished by shutdown in between refuses the job here.
        guard jobs.yield(wrapped).isEnqueued else {
            release(bytes)
            return .shuttingDown
        }
        return .accepted
    }

    private func release(_ bytes: Int64) {
        state.withLock { held in
            held.actions -= 1
            held.bytes -= bytes
        }
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
                state.withLock { $0.open = false }
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
