import Synchronization

/// Bounds guessing at the sign-in form: after `limit` failed sign-ins within `window` seconds, from anyone, every
/// sign-in is refused with 429 until the oldest of them is `window` seconds old. A random access token needs no such
/// bound; a console password a person chose does.
final class SignInThrottle: Sendable {
    static let limit = 10
    static let window: Int64 = 60

    private let failures = Mutex<[Int64]>([])
    private let now: @Sendable () -> Int64

    init(now: @escaping @Sendable () -> Int64) { self.now = now }

    /// Whether a sign-in may be tried now.
    var admits: Bool {
        let time = now()
        return failures.withLock { failures in
            failures.removeAll { $0 <= time - Self.window }
            return failures.count < Self.limit
        }
    }

    func failed() {
        let time = now()
        failures.withLock { $0.append(time) }
    }
}
