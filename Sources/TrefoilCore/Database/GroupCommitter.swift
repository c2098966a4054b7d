import GRDB
import Synchronization

/// Write transactions that arrive while another is committing share the next commit: one transaction, one sync of
/// the WAL, for every upload that finished meanwhile (issue 18's group commit).
///
/// Each piece of work runs in a savepoint of its own inside the shared transaction, so it sees the rows of the
/// pieces before it (a quota or a file count is checked against them, exactly as in a transaction of its own) and a
/// piece that throws is rolled back alone: its caller gets its error, the others commit (a piece alone in its
/// transaction has no savepoint: its failure rolls the transaction back). A caller is resumed only
/// once the shared transaction has committed (its rows are durable: `synchronous = FULL`), or with the commit's error
/// when that fails, which then none of the pieces has made.
///
/// There is no timer and no wait for company: the first caller finds the committer idle and commits at once, alone;
/// whoever arrives during that commit (which waits for the disk) joins the next one. So one upload at a time costs
/// what it did, and many at a time cost one sync per batch instead of one each.
final class GroupCommitter: Sendable {
    /// One caller's work, run inside the shared transaction, in a savepoint of its own when `isolated`; it returns the
    /// closure that resumes the caller once the transaction has ended (with nil when it committed), and whether the
    /// work failed.
    private struct Job: Sendable {
        let attempt: @Sendable (Database, _ isolated: Bool) throws -> Attempt
        let fail: @Sendable (any Error) -> Void
    }

    private struct Attempt {
        let resume: @Sendable ((any Error)?) -> Void
        let failed: Bool
    }

    private struct State {
        var waiting: [Job] = []
        var committing = false
        var batches = 0
        var pieces = 0
    }

    private let writer: any DatabaseWriter
    /// Called after every shared transaction, committed or not (the usage cache is dropped, as after any write).
    private let ended: @Sendable () -> Void
    /// At most this many pieces share a transaction, so that the first caller of a crowd is not kept waiting long.
    let maxBatch: Int
    private let state = Mutex(State())

    init(writer: any DatabaseWriter, maxBatch: Int = 64, ended: @escaping @Sendable () -> Void) {
        self.writer = writer
        self.maxBatch = maxBatch
        self.ended = ended
    }

    /// Transactions committed so far and the pieces of work they held, for tests and measurements.
    var totals: (batches: Int, pieces: Int) { state.withLock { ($0.batches, $0.pieces) } }

    /// Pieces waiting for the next transaction.
    var waiting: Int { state.withLock { $0.waiting.count } }

    /// Runs `work` in a savepoint of the next shared write transaction and returns its result once that has committed.
    ///
    /// The transactions run on the writer's queue one after the other (`asyncWriteWithoutTransaction`), each started by
    /// the end of the one before while pieces wait: no task is started to commit, so an upload that comes alone waits
    /// for no thread but the writer's (issue 18: a task per batch and an `await` of the write were two hops more). It
    /// also keeps a caller's cancellation out of the shared transaction, which an `await`ed GRDB write would interrupt
    /// for every piece in it.
    func run<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let outcome = Outcome<T>()
        let job = Job(
            attempt: { db, isolated in
                var result: Result<T, any Error> = .failure(
                    TrefoilError.internalError("a savepoint ended without running its work"))
                do {
                    if isolated {
                        try db.inSavepoint {
                            result = .success(try work(db))
                            return .commit
                        }
                    } else {
                        result = .success(try work(db))
                    }
                } catch {
                    // A failure SQLite answers by rolling back the whole transaction (a full disk, an I/O
                    // error) must end the batch: the other pieces would otherwise go on outside a transaction.
                    guard db.isInsideTransaction else { throw error }
                    result = .failure(error)
                }
                let settled = result
                return Attempt(
                    resume: { commitFailure in outcome.settle(commitFailure.map { .failure($0) } ?? settled) },
                    failed: { if case .failure = settled { true } else { false } }())
            },
            fail: { outcome.settle(.failure($0)) })
        let leads = state.withLock { state -> Bool in
            state.waiting.append(job)
            guard !state.committing else { return false }
            state.committing = true
            return true
        }
        if leads { commitNext() }
        return try await outcome.value()
    }

    /// Starts the shared transaction of the pieces waiting now, on the writer's queue; its end starts the next one,
    /// until none waits and the committer is idle again.
    private func commitNext() {
        let batch = state.withLock { state -> [Job] in
            let batch = Array(state.waiting.prefix(maxBatch))
            state.waiting.removeFirst(batch.count)
            if batch.isEmpty {
                state.committing = false
            } else {
                state.batches += 1
                state.pieces += batch.count
            }
            return batch
        }
        guard !batch.isEmpty else { return }
        writer.asyncWriteWithoutTransaction { db in
            do {
                var resumes: [@Sendable ((any Error)?) -> Void] = []
                try db.inTransaction(.immediate) {
                    // A piece alone needs no savepoint: when it fails, the transaction is rolled back instead. Two
                    // statements fewer (GRDB prepares each anew) for every upload that comes by itself.
                    guard batch.count > 1 else {
                        let attempt = try batch[0].attempt(db, false)
                        resumes = [attempt.resume]
                        return attempt.failed ? .rollback : .commit
                    }
                    resumes = try batch.map { try $0.attempt(db, true).resume }
                    return .commit
                }
                self.ended()
                for resume in resumes { resume(nil) }
            } catch {
                self.ended()
                for job in batch { job.fail(error) }
            }
            self.commitNext()
        }
    }
}

/// A caller's result, settled once by the committer on the writer's queue and awaited by the caller (which may come to
/// wait after it was settled).
private final class Outcome<T: Sendable>: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<T, any Error>)
        case settled(Result<T, any Error>)
    }

    private let state = Mutex(State.pending)

    func settle(_ result: Result<T, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard case .waiting(let continuation) = state else {
                state = .settled(result)
                return nil
            }
            state = .settled(result)
            return continuation
        }
        waiter?.resume(with: result)
    }

    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let settled = state.withLock { state -> Result<T, any Error>? in
                if case .settled(let result) = state { return result }
                state = .waiting(continuation)
                return nil
            }
            if let settled { continuation.resume(with: settled) }
        }
    }
}
