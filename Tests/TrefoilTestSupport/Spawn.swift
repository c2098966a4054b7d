import Foundation

/// Starts `process`, one start at a time across the whole test run: swift-corelibs-foundation's `Process.run`
/// crashed the test process twice in this session's runs (a bad read in `memcpy` inside `run`) while tests on other
/// threads were starting children of their own. Holding the lock costs only the start, not the child's run.
public func startSerialized(_ process: Process) throws {
    try spawnLock.withLock { try process.run() }
}

private let spawnLock = NSLock()
