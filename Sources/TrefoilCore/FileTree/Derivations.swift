import Synchronization

/// The derivations under way in this process, so that callers asking for the same one at once share one run.
///
/// A run is an unstructured task: a caller that goes away does not cancel the work the others wait for. It leaves
/// the table before its result reaches anyone, so a failure is never handed to a later caller.
final class Derivations: Sendable {
    private struct Key: Hashable {
        let source: String
        let variant: String
    }

    private let running = Mutex<[Key: Task<DerivedBlob, any Error>]>([:])

    /// The result of the run for `source` and `variant` under way, or of `work` started now.
    func run(
        source: String, variant: String, _ work: @escaping @Sendable () async throws -> DerivedBlob
    ) async throws -> DerivedBlob {
        let key = Key(source: source, variant: variant)
        let task = running.withLock { running in
            if let task = running[key] { return task }
            // The task cannot remove itself before it is added: it needs the lock this closure holds.
            let task = Task {
                defer { self.running.withLock { _ = $0.removeValue(forKey: key) } }
                return try await work()
            }
            running[key] = task
            return task
        }
        return try await task.value
    }
}
