import Synchronization
import TrefoilCore

/// The requests of one connection whose answers are not written yet, so that an event one of them caused can
/// wait for its answer.
///
/// Each request gets an `EventOrigin` unique in the process, so an event caused on another connection is never
/// mistaken for one of this connection's. It holds at most the connection's requests in flight.
final class AnswerLedger: Sendable {
    private static let lastID = Atomic<UInt64>(0)

    private struct State {
        var unanswered: Set<UInt64> = []
        /// The event writer, waiting for the answer to one request.
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
    }

    private let state = Mutex(State())

    /// Notes a request read from the connection; its answer is not written yet.
    func begin() -> EventOrigin {
        let id = Self.lastID.add(1, ordering: .relaxed).newValue
        state.withLock { _ = $0.unanswered.insert(id) }
        return EventOrigin(id: id)
    }

    /// Notes that the answer to `origin` is written (or never will be), and wakes the event waiting for it.
    func answered(_ origin: EventOrigin) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.unanswered.remove(origin.id)
            guard let waiter = state.waiter, waiter.id == origin.id else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Returns once the answer to `origin` is written: at once when it is written already or `origin` is not a
    /// request of this connection, and after `limit` (or on cancellation) at the latest. One caller at a time:
    /// the connection's event writer.
    func waitForAnswer(to origin: EventOrigin, upTo limit: Duration) async {
        guard state.withLock({ $0.unanswered.contains(origin.id) }) else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Past the limit, or once the connection closes, the request counts as answered.
                try? await Task.sleep(for: limit)
                self.answered(origin)
            }
            await withCheckedContinuation { continuation in
                let pending = state.withLock { state -> Bool in
                    guard state.unanswered.contains(origin.id) else { return false }
                    state.waiter = (origin.id, continuation)
                    return true
                }
                if !pending { continuation.resume() }
            }
            group.cancelAll()
        }
    }
}
