import Foundation
import Synchronization

/// A value a test and the jobs it starts on other threads share.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    public func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result { mutex.withLock { body(&$0) } }
}

/// Blocks the calling thread until `condition` holds (true) or `atMost` passes (false). The default is long enough
/// for any machine and short enough that a broken pool fails the test instead of hanging it.
@discardableResult
public func waitUntil(atMost limit: Duration = .seconds(10), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        usleep(1_000)
    }
    return true
}
