import Synchronization

/// The janitor's passes and the start-up collection, with what each removed: the console's health page shows the
/// recent ones, `/metrics` counts them all. One per store; kept in memory (a restart starts a new log).
public final class MaintenanceLog: Sendable {
    /// One pass.
    public struct Run: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable {
            /// A periodic pass of the janitor.
            case janitor
            /// The clean-up when the store opens (temp files of a crash, unreferenced blobs).
            case startup
        }

        public let kind: Kind
        /// Unix seconds.
        public let startedAt: Int64
        public let durationSeconds: Double
        public let expiredFiles: Int
        public let abandonedUploads: Int
        public let collectedBlobs: Int
        public let prunedCacheFiles: Int
        /// Leftover temp files removed (at start-up).
        public let removedTempFiles: Int
        /// Why the pass stopped early; nil when it completed.
        public let error: String?

        public init(
            kind: Kind, startedAt: Int64, durationSeconds: Double, expiredFiles: Int = 0, abandonedUploads: Int = 0,
            collectedBlobs: Int = 0, prunedCacheFiles: Int = 0, removedTempFiles: Int = 0, error: String? = nil
        ) {
            self.kind = kind
            self.startedAt = startedAt
            self.durationSeconds = durationSeconds
            self.expiredFiles = expiredFiles
            self.abandonedUploads = abandonedUploads
            self.collectedBlobs = collectedBlobs
            self.prunedCacheFiles = prunedCacheFiles
            self.removedTempFiles = removedTempFiles
            self.error = error
        }
    }

    /// Everything recorded since the store opened.
    public struct Totals: Sendable, Equatable {
        public var runs: [Run.Kind: Int] = [:]
        public var failures = 0
        public var expiredFiles = 0
        public var abandonedUploads = 0
        public var collectedBlobs = 0
        public var prunedCacheFiles = 0
        public var removedTempFiles = 0
    }

    /// How many runs `recent` keeps.
    public static let kept = 50

    private struct State {
        var recent: [Run] = []
        var totals = Totals()
    }

    private let state = Mutex(State())

    public init() {}

    public func record(_ run: Run) {
        state.withLock { state in
            state.recent.insert(run, at: 0)
            if state.recent.count > Self.kept { state.recent.removeLast() }
            state.totals.runs[run.kind, default: 0] += 1
            if run.error != nil { state.totals.failures += 1 }
            state.totals.expiredFiles += run.expiredFiles
            state.totals.abandonedUploads += run.abandonedUploads
            state.totals.collectedBlobs += run.collectedBlobs
            state.totals.prunedCacheFiles += run.prunedCacheFiles
            state.totals.removedTempFiles += run.removedTempFiles
        }
    }

    /// The last `kept` runs, newest first.
    public var recent: [Run] { state.withLock { $0.recent } }

    public var totals: Totals { state.withLock { $0.totals } }
}

extension Duration {
    /// The duration in seconds, fractions included.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
