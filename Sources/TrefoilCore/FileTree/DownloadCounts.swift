import Synchronization

/// Downloads counted per file and not yet written to `download_times` (`FileTree.recordDownload`).
///
/// Holds one entry per file downloaded since the last flush, so it is bounded by the number of files.
final class DownloadCounts: Sendable {
    private let counts = Mutex<[FileID: Int64]>([:])

    func add(_ id: FileID) {
        counts.withLock { $0[id, default: 0] += 1 }
    }

    /// Every count so far, leaving none.
    func take() -> [FileID: Int64] {
        counts.withLock { counts in
            defer { counts = [:] }
            return counts
        }
    }

    /// Puts back counts that could not be written, adding them to any counted meanwhile.
    func restore(_ taken: [FileID: Int64]) {
        counts.withLock { $0.merge(taken, uniquingKeysWith: +) }
    }
}
