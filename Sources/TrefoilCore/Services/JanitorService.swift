import Logging
import ServiceLifecycle

/// Deletes expired files and collects unreferenced blobs at a fixed interval.
public struct JanitorService: Service {
    let tree: FileTree
    let interval: Duration
    let logger: Logger

    public init(tree: FileTree, interval: Duration = .seconds(60), logger: Logger = Logger(label: "trefoil.janitor")) {
        self.tree = tree
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await tree.expireFiles()
                try tree.collectUnreferencedBlobs()
            } catch {
                logger.warning("janitor pass failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
