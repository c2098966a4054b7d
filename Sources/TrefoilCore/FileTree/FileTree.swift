import Foundation
import GRDB
import Logging

/// The group file system: one service that every face calls, safe to use from any task.
///
/// A write becomes visible at exactly one moment, its database commit; every invariant (quota, file
/// count, folder depth, name uniqueness, counters) is checked and moved inside that one transaction.
public final class FileTree: Sendable {
    /// Limits and retention (the executable reads them from its configuration).
    public struct Settings: Sendable, Equatable {
        public var maxFileBytes: Int64
        public var groupTotalSpace: Int64
        public var groupFileLimit: Int64
        public var maxFolderDepth: Int
        /// 0: group files are permanent; otherwise new group files expire after this many days.
        public var groupFileDays: Int
        /// 0: private files are permanent; otherwise they expire after this many days.
        public var privateFileDays: Int
        public var computeSHA3: Bool

        public init(
            maxFileBytes: Int64 = 4 << 30,
            groupTotalSpace: Int64 = 10 << 30,
            groupFileLimit: Int64 = 10_000,
            maxFolderDepth: Int = 8,
            groupFileDays: Int = 0,
            privateFileDays: Int = 7,
            computeSHA3: Bool = false
        ) {
            self.maxFileBytes = maxFileBytes
            self.groupTotalSpace = groupTotalSpace
            self.groupFileLimit = groupFileLimit
            self.maxFolderDepth = maxFolderDepth
            self.groupFileDays = groupFileDays
            self.privateFileDays = privateFileDays
            self.computeSHA3 = computeSHA3
        }
    }

    public let directory: DataDirectory
    public let settings: Settings
    public let events: EventBus
    let database: AppDatabase
    let blobs: BlobStore
    let clock: @Sendable () -> Int64
    let faults: FaultInjector
    let logger: Logger
    /// Usage counters as last read; every write invalidates them.
    let usage = UsageCache()
    /// Downloads counted and not yet written.
    let downloadCounts = DownloadCounts()

    init(
        directory: DataDirectory,
        database: AppDatabase,
        settings: Settings,
        events: EventBus,
        clock: @escaping @Sendable () -> Int64,
        faults: FaultInjector,
        logger: Logger
    ) {
        self.directory = directory
        self.database = database
        self.blobs = BlobStore(directory: directory)
        self.settings = settings
        self.events = events
        self.clock = clock
        self.faults = faults
        self.logger = logger
    }

    /// Opens the store in `directory`: creates what is missing, migrates the database and, unless
    /// `cleanUp` is false (fsck looks before it touches), removes temp files left by a crash and
    /// collects unreferenced blobs.
    ///
    /// The caller should hold the directory's lock (`DataDirectory.lock()`) for as long as it uses
    /// the tree, so that no other process writes the same store.
    public static func open(
        directory: DataDirectory,
        settings: Settings,
        events: EventBus = EventBus(),
        logger: Logger = Logger(label: "trefoil.store"),
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
        cleanUp: Bool = true
    ) throws -> FileTree {
        try open(
            directory: directory, settings: settings, events: events, logger: logger, clock: clock,
            faults: FaultInjector(), cleanUp: cleanUp)
    }

    static func open(
        directory: DataDirectory,
        settings: Settings,
        events: EventBus = EventBus(),
        logger: Logger = Logger(label: "trefoil.store"),
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
        faults: FaultInjector,
        cleanUp: Bool = true
    ) throws -> FileTree {
        try directory.create()
        let database = try AppDatabase.open(path: directory.databasePath)
        let tree = FileTree(
            directory: directory, database: database, settings: settings, events: events, clock: clock,
            faults: faults, logger: logger)
        guard cleanUp else { return tree }
        let removed = tree.blobs.removeTempFiles()
        let collected = try tree.collectGarbage()
        if removed > 0 || collected > 0 {
            logger.info(
                "start-up clean-up", metadata: ["temp_files_removed": "\(removed)", "blobs_collected": "\(collected)"])
        }
        return tree
    }

    /// Where a stored file's bytes are, for streaming them out.
    public func blobPath(of file: StoredFile) -> String {
        blobs.path(for: file.digests.sha256)
    }

    /// Runs a database read, mapping SQLite failures to `.databaseError`.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.writer.read(body)
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Runs one write transaction, mapping SQLite failures to `.databaseError`. Cached usage is
    /// dropped when it ends, whatever its outcome.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        defer { usage.invalidate() }
        do {
            return try await database.writer.write(body)
        } catch {
            throw Self.mapped(error)
        }
    }

    static func mapped(_ error: any Error) -> any Error {
        switch error {
        case is TrefoilError, is CancellationError: error
        case let error as DatabaseError: TrefoilError.databaseError(error.message ?? "\(error.resultCode)")
        default: error
        }
    }
}
