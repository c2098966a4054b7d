import Foundation
import Logging
import ServiceLifecycle

/// At a fixed interval: deletes expired files (staged files past their TTL among them), gives up pending uploads idle
/// past their timeout, collects unreferenced blobs and prunes download cache copies (`DownloadCache`) older than a day.
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
            do {
                try await tree.expireFiles()
                await pending?.sweep()
                try await tree.collectUnreferencedBlobs()
                let cache = DownloadCache(directory: tree.directory, maxBytes: tree.settings.maxFileBytes)
                cache.prune(olderThan: Int64(Date().timeIntervalSince1970) - 86_400)
            } catch is CancellationError {
                return  // the server is stopping
            } catch {
                logger.warning("janitor pass failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
