import Dispatch

extension DispatchQueue {
    /// Where one-off blocking calls wait (creating a temp file, renaming a blob into place, opening a local
    /// file): concurrent, so that one upload's slow disk call does not queue another's behind it.
    static let blockingCalls = DispatchQueue(label: "trefoil.blocking-calls", attributes: .concurrent)

    /// Runs blocking `work` on this queue and suspends the caller until it is done.
    ///
    /// The cooperative pool that runs every task has one thread per core (two here): a task that waits in a
    /// system call there (a read of a stalled disk, network mount or pipe) holds one of them, and two such waits
    /// stop every connection. Waiting on a Dispatch thread instead costs the caller nothing.
    func perform<T: Sendable, Failure: Error>(_ work: @escaping @Sendable () throws(Failure) -> T)
        async throws(Failure) -> T
    {
        let result = await withCheckedContinuation { (done: CheckedContinuation<Result<T, Failure>, Never>) in
            self.async { done.resume(returning: Result { () throws(Failure) -> T in try work() }) }
        }
        return try result.get()
    }
}
