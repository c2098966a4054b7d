import Logging
import ServiceLifecycle

/// Writes the downloads `FileTree.recordDownload` counted, every `interval` and once more at shutdown, so a
/// count reaches listings within about one interval and a clean shutdown loses none.
///
/// It shuts down after the listener (services shut down in reverse order, the listener first), so the last
/// flush comes after the last download has been answered.
public struct DownloadCountService: Service {
    let tree: FileTree
    let interval: Duration
    let logger: Logger

    public init(tree: FileTree, interval: Duration, logger: Logger = Logger(label: "trefoil.downloads")) {
        self.tree = tree
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var stopping = false
        while !stopping {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            stopping = Task.isShuttingDownGracefully || Task.isCancelled
            do {
                try await tree.flushDownloadCounts()
            } catch {
                logger.warning("download counts not written; kept for the next try", metadata: ["error": "\(error)"])
            }
        }
    }
}
