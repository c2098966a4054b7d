import Foundation

/// Runs blocking work (a blocking socket, waiting for a child process) on a thread of its own and awaits it.
///
/// Swift Testing runs tests on the cooperative pool, which has one thread per core: two on these machines. A test
/// that blocks one of them while it waits for an in-process server starves that server, and two such tests at
/// once deadlock the run. Anything that can block for long goes through here.
public func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
