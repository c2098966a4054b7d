import Synchronization

/// A counting semaphore for async code: at most `permits` holders at once, waiters resumed in order.
final class AsyncWindow: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let permits: Int
    private let state: Mutex<State>

    init(permits: Int) {
        self.permits = permits
        state = Mutex(State(available: permits))
    }

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }

    /// Waits until every permit is back, then returns them all.
    func drain() async {
        for _ in 0..<permits { await acquire() }
        for _ in 0..<permits { release() }
    }
}
