import Foundation
import Synchronization

/// A clock tests move by hand: Unix seconds, starting at the real time.
final class TestClock: Sendable {
    private let seconds = Atomic<Int64>(Int64(Date().timeIntervalSince1970))

    var read: @Sendable () -> Int64 { { [self] in seconds.load(ordering: .relaxed) } }

    func advance(days: Int64 = 0, seconds extra: Int64 = 0) {
        seconds.add(days * 86_400 + extra, ordering: .relaxed)
    }
}
