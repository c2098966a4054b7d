/// The steps of a write at which a test can simulate a crash.
enum WriteStep: Sendable, CaseIterable {
    /// The bytes are in `tmp/`, hashed and fsynced.
    case afterTempWrite
    /// The blob has been renamed into `blobs/` (or deduplicated).
    case afterRename
    /// The rows are written but the transaction has not committed.
    case beforeCommit
}

/// Thrown by an injected fault: the write stops dead, leaving its files exactly as a crash would.
struct SimulatedCrash: Error, Equatable {
    let step: WriteStep
}

/// Crash simulation for tests; inert in production.
struct FaultInjector: Sendable {
    var crashAt: WriteStep?

    init(crashAt: WriteStep? = nil) { self.crashAt = crashAt }

    func check(_ step: WriteStep) throws {
        if step == crashAt { throw SimulatedCrash(step: step) }
    }
}
