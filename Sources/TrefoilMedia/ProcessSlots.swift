import Synchronization

/// At most `limit` holders at once; the others wait their turn, in order, without blocking a thread.
final class ProcessSlots: Sendable {
    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(limit: Int) {
        precondition(limit >= 1, "at least one process must be allowed to run")
        state = Mutex(State(free: limit))
    }

    /// `body`'s result, run once a slot is free; the slot is held until it returns.
    func withSlot<T>(_ body: () async throws(MediaError) -> T) async throws(MediaError) -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { continuation in
            let acquired = state.withLock { state in
                guard state.free > 0 else {
                    state.waiting.append(continuation)
                    return false
                }
                state.free -= 1
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    /// Hands the slot to the first waiter, if any, else frees it.
    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
