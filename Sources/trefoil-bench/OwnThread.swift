import Foundation

/// Runs blocking work (plain sockets, `fsync` loops) on a thread of its own, off the Swift concurrency pool, and
/// returns what it returns or throws.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
