import Synchronization

/// The app's calls per second, as a token bucket that holds one second's worth of calls: a burst of
/// `callsPerSecond` is allowed, then calls at that rate.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var refilled: ContinuousClock.Instant
    }

    private let rate: Double
    private let bucket: Mutex<Bucket>

    init(callsPerSecond: Int) {
        rate = Double(callsPerSecond)
        bucket = Mutex(Bucket(tokens: Double(callsPerSecond), refilled: .now))
    }

    /// Takes one call's token; false when the app is over its rate.
    func admit(now: ContinuousClock.Instant = .now) -> Bool {
        bucket.withLock { bucket in
            let elapsed = now - bucket.refilled
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(rate, bucket.tokens + max(0, seconds) * rate)
            bucket.refilled = max(bucket.refilled, now)
            guard bucket.tokens >= 1 else { return false }
            bucket.tokens -= 1
            return true
        }
    }
}
