import Foundation
import Logging
import ServiceLifecycle

/// At a fixed interval: deletes expired files (staged files past their TTL among them), gives up pending uploads idle
/// past their timeout, collects unreferenced blobs (and, with a remote backend, undoes its writes left unfinished for
/// an hour: `FileTree.recoverPendingWrites`) and prunes download cache copies (`DownloadCache`) and fetched copies of
/// remote blobs (`FileTree.localCopy`) older than a day.
public struct JanitorService: Service {
    let tree: FileTree
    let pending: PendingUploads?
    let interval: Duration
    let logger: Logger

    public init(
        tree: FileTree, pending: PendingUploads? = nil, interval: Duration = .seconds(60),
        logger: Logger = Logger(label: "trefoil.janitor")
    ) {
        self.tree = tree
        self.pending = pending
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            guard await pass() else { return }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One pass, recorded in the store's maintenance log; false when the server is stopping.
    func pass() async -> Bool {
        let startedAt = tree.now
        let started = ContinuousClock.now
        var expired = 0
        var abandoned = 0
        var collected = 0
        var pruned = 0
        var failure: String?
        do {
            expired = try await tree.expireFiles()
            abandoned = await pending?.sweep() ?? 0
            collected = try await tree.collectUnreferencedBlobs()
            try await tree.recoverPendingWrites(olderThan: 3600)
            let cache = DownloadCache(directory: tree.directory, maxBytes: tree.settings.maxFileBytes)
            let dayAgo = Int64(Date().timeIntervalSince1970) - 86_400
            pruned = cache.prune(olderThan: dayAgo) + tree.pruneLocalCopies(unusedSince: dayAgo)
        } catch is CancellationError {
            return false
        } catch {
            logger.warning("janitor pass failed", metadata: ["error": "\(error)"])
            failure = "\(error)"
        }
        tree.maintenance.record(
            .init(
                kind: .janitor, startedAt: startedAt, durationSeconds: (ContinuousClock.now - started).seconds,
                expiredFiles: expired, abandonedUploads: abandoned, collectedBlobs: collected, prunedCacheFiles: pruned,
                error: failure))
        return true
    }
}
