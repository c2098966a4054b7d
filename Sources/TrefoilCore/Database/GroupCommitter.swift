import GRDB
import Synchronization

/// Write transactions that arrive while another is committing share the next commit: one transaction, one sync of
/// the WAL, for every upload that finished meanwhile (issue 18's group commit).
///
/// Each piece of work runs in a savepoint of its own inside the shared transaction, so it sees the rows of the
/// pieces before it (a quota or a file count is checked against them, exactly as in a transaction of its own) and a
/// piece that throws is rolled back alone: its caller gets its error, the others commit. A caller is resumed only
/// once the shared transaction has committed (its rows are durable: `synchronous = FULL`), or with the commit's error
/// when that fails, which then none of the pieces has made.
///
/// There is no timer and no wait for company: the first caller finds the committer idle and commits at once, alone;
/// whoever arrives during that commit (which waits for the disk) joins the next one. So one upload at a time costs
/// what it did, and many at a time cost one sync per batch instead of one each.
final class GroupCommitter: Sendable {
    /// One caller's work, run inside the shared transaction; the closure it returns resumes the caller once the
    /// transaction has ended (with nil when it committed).
    private struct Job: Sendable {
        let attempt: @Sendable (Database) throws -> @Sendable ((any Error)?) -> Void
        let fail: @Sendable (any Error) -> Void
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
    func run<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (caller: CheckedContinuation<T, any Error>) in
            let job = Job(
                attempt: { db in
                    var outcome: Result<T, any Error> = .failure(
                        TrefoilError.internalError("a savepoint ended without running its work"))
                    do {
                        try db.inSavepoint {
                            outcome = .success(try work(db))
                            return .commit
                        }
                    } catch {
                        // A failure SQLite answers by rolling back the whole transaction (a full disk, an I/O
                        // error) must end the batch: the other pieces would otherwise go on outside a transaction.
                        guard db.isInsideTransaction else { throw error }
                        outcome = .failure(error)
                    }
                    let result = outcome
                    return { commitFailure in caller.resume(with: commitFailure.map { .failure($0) } ?? result) }
                },
                fail: { caller.resume(throwing: $0) })
            let leads = state.withLock { state -> Bool in
                state.waiting.append(job)
                guard !state.committing else { return false }
                state.committing = true
                return true
            }
            if leads { Task { await self.commitWaiting() } }
        }
    }

    /// Commits batch after batch until nobody waits.
    private func commitWaiting() async {
        while true {
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
            do {
                let resumes = try await writer.write { db in try batch.map { try $0.attempt(db) } }
                ended()
                for resume in resumes { resume(nil) }
            } catch {
                ended()
                for job in batch { job.fail(error) }
            }
        }
    }
}
