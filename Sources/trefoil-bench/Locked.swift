import Synchronization

/// A value behind a mutex, shareable by reference between tasks and closures.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<T: Sendable>(_ body: (inout sending Value) throws -> sending T) rethrows -> T {
        try mutex.withLock(body)
    }
}

/// An integer counter shared between tasks.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    /// Adds `amount`; returns the value before.
    @discardableResult
    func add(_ amount: Int = 1) -> Int { value.add(amount, ordering: .relaxed).oldValue }

    /// Raises the value to `candidate` when it is larger.
    func raise(to candidate: Int) { value.max(candidate, ordering: .relaxed) }

    var current: Int { value.load(ordering: .relaxed) }
}
