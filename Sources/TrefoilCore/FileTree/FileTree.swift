import Foundation
import GRDB
import Logging

/// The file store: every space's tree, one service that every face calls, safe to use from any task.
///
/// A write becomes visible at exactly one moment, its database commit; every invariant (quota, file
/// count, folder depth, name uniqueness, counters) is checked and moved inside that one transaction.
public final class FileTree: Sendable {
    /// Limits and retention (the executable reads them from its configuration).
    public struct Settings: Sendable, Equatable {
        public var maxFileBytes: Int64
        public var maxFolderDepth: Int
        public var computeSHA3: Bool
        /// Quota and retention of each kind of space.
        public var group: SpaceLimits
        public var user: SpaceLimits
        public var app: SpaceLimits
        public var staging: SpaceLimits
        public var avatar: SpaceLimits
        /// How long a blob stays after its last reference went before it is removed (0: at once). An object store's
        /// blobs keep one (`storage.blobs.s3.delete_grace_seconds`): a presigned link handed out a moment before a
        /// delete, or a proxied download under way, still finds its bytes.
        public var blobGraceSeconds: Int64
        /// Uploads of at most this many bytes keep them in the database, committed with the file's row, instead of in
        /// the backend (0: never). Below about 16 KiB that is one WAL sync per upload instead of a file created,
        /// synced and renamed and its folder synced (docs/performance.md, issue 18); the bytes are read from the
        /// database, which is no slower for blobs that small.
        public var inlineBlobBytes: Int64

        public init(
            maxFileBytes: Int64 = 4 << 30,
            maxFolderDepth: Int = 8,
            computeSHA3: Bool = false,
            blobGraceSeconds: Int64 = 0,
            inlineBlobBytes: Int64 = 0,
            group: SpaceLimits = SpaceLimits(totalSpace: 10 << 30, fileLimit: 10_000, fileDays: 0),
            user: SpaceLimits = SpaceLimits(fileDays: 7),
            app: SpaceLimits = SpaceLimits(fileDays: 7),
            staging: SpaceLimits = SpaceLimits(fileDays: 1),
            avatar: SpaceLimits = SpaceLimits(fileDays: 0)
        ) {
            self.maxFileBytes = maxFileBytes
            self.maxFolderDepth = maxFolderDepth
            self.computeSHA3 = computeSHA3
            self.blobGraceSeconds = blobGraceSeconds
            self.inlineBlobBytes = inlineBlobBytes
            self.group = group
            self.user = user
            self.app = app
            self.staging = staging
            self.avatar = avatar
        }

        /// The limits of one kind of space.
        public subscript(kind: SpaceKind) -> SpaceLimits {
            get {
                switch kind {
                case .group: group
                case .user: user
                case .app: app
                case .staging: staging
                case .avatar: avatar
                }
            }
            set {
                switch kind {
                case .group: group = newValue
                case .user: user = newValue
                case .app: app = newValue
                case .staging: staging = newValue
                case .avatar: avatar = newValue
                }
            }
        }
    }

    /// The quota and retention of one kind of space; every space of that kind has its own.
    public struct SpaceLimits: Sendable, Equatable {
        /// Bytes one space may hold.
        public var totalSpace: Int64
        /// Files one space may hold.
        public var fileLimit: Int64
        /// 0: new files are kept until deleted; otherwise they expire after this many days.
        public var fileDays: Int

        /// The defaults leave a space's size and count unbounded in practice: 1 PiB and a billion files, the
        /// largest values the configuration accepts.
        public init(totalSpace: Int64 = 1 << 50, fileLimit: Int64 = 1_000_000_000, fileDays: Int = 0) {
            self.totalSpace = totalSpace
            self.fileLimit = fileLimit
            self.fileDays = fileDays
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
    let usage: UsageCache
    /// Live files by id as last read; every write invalidates them.
    let files: FileCache
    /// The bytes of blobs kept in the database, as last read.
    let inlineBytes = InlineBytesCache()
    /// Upload commits that arrive together share one transaction (`writeShared`).
    let committer: GroupCommitter
    /// Downloads counted and not yet written.
    let downloadCounts = DownloadCounts()
    /// Derived blobs being made.
    let derivations = Derivations()
    /// Derived blobs as last read; emptied whenever a derived row can have gone.
    let derivedCache = DerivedCache()
    /// The janitor's passes and the start-up clean-up, for the console and `/metrics`.
    public let maintenance = MaintenanceLog()

    init(
        directory: DataDirectory,
        database: AppDatabase,
        settings: Settings,
        backend: (any BlobBackend)? = nil,
        events: EventBus,
        clock: @escaping @Sendable () -> Int64,
        faults: FaultInjector,
        logger: Logger
    ) {
        self.directory = directory
        self.database = database
        self.blobs = BlobStore(
            directory: directory, backend: backend ?? DiskBlobs(directory: directory),
            journal: BlobJournal(writer: database.writer, clock: clock))
        self.settings = settings
        self.events = events
        self.clock = clock
        self.faults = faults
        self.logger = logger
        let usage = UsageCache()
        let files = FileCache()
        self.usage = usage
        self.files = files
        committer = GroupCommitter(writer: database.writer) {
            usage.invalidate()
            files.invalidate()
        }
    }

    /// Opens the store in `directory` with its blobs in the local folder: creates what is missing, migrates the
    /// database and, unless `cleanUp` is false (fsck looks before it touches), removes temp files left by a crash and
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
        let started = ContinuousClock.now
        let removed = tree.blobs.removeTempFiles()
        let collected = try tree.collectGarbage()
        tree.maintenance.record(
            .init(
                kind: .startup, startedAt: tree.now, durationSeconds: (ContinuousClock.now - started).seconds,
                collectedBlobs: collected, removedTempFiles: removed))
        if removed > 0 || collected > 0 {
            logger.info(
                "start-up clean-up", metadata: ["temp_files_removed": "\(removed)", "blobs_collected": "\(collected)"])
        }
        return tree
    }

    /// Opens the store in `directory` with its blobs kept by `backend`: as `open` above, and the clean-up also
    /// undoes the backend's writes a crash interrupted (`recoverPendingWrites`). Orphans a crash may leave in a
    /// remote backend are found through its journal, without listing it.
    public static func open(
        directory: DataDirectory,
        settings: Settings,
        backend: any BlobBackend,
        events: EventBus = EventBus(),
        logger: Logger = Logger(label: "trefoil.store"),
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
        cleanUp: Bool = true
    ) async throws -> FileTree {
        if backend is DiskBlobs {
            return try open(
                directory: directory, settings: settings, events: events, logger: logger, clock: clock,
                cleanUp: cleanUp)
        }
        try directory.create()
        let database = try AppDatabase.open(path: directory.databasePath)
        let tree = FileTree(
            directory: directory, database: database, settings: settings, backend: backend, events: events,
            clock: clock, faults: FaultInjector(), logger: logger)
        guard cleanUp else { return tree }
        let started = ContinuousClock.now
        let removed = tree.blobs.removeTempFiles()
        let recovered = try await tree.recoverPendingWrites()
        let collected = try await tree.collectUnreferencedBlobs()
        tree.maintenance.record(
            .init(
                kind: .startup, startedAt: tree.now, durationSeconds: (ContinuousClock.now - started).seconds,
                collectedBlobs: collected, removedTempFiles: removed))
        if removed > 0 || collected > 0 || recovered > 0 {
            logger.info(
                "start-up clean-up",
                metadata: [
                    "temp_files_removed": "\(removed)", "blobs_collected": "\(collected)",
                    "interrupted_writes_undone": "\(recovered)",
                ])
        }
        return tree
    }

    /// Which backend keeps the blobs: `disk` or `s3`.
    public var blobBackend: any BlobBackend { blobs.backend }

    /// The store's clock (Unix seconds): what retention and expiry are measured on, and what a face measures its own
    /// expiring credentials on, so that one injected clock moves them all.
    public var now: Int64 { clock() }

    /// The file of a stored file's bytes, to read in place (`sendfile`); nil when the backend keeps them elsewhere
    /// or they are in the database (see `localCopy(of:)`, `bytes(of:in:)`).
    public func blobPath(of file: StoredFile) -> String? {
        file.bytesInDatabase ? nil : blobs.localPath(for: file.digests.sha256)
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
    /// dropped when it ends, whatever its outcome, and so are cached files unless `keepingFiles` (a transaction that
    /// changes nothing a download answers with: the download counts).
    func write<T: Sendable>(keepingFiles: Bool = false, _ body: @escaping @Sendable (Database) throws -> T)
        async throws -> T
    {
        defer { keepingFiles ? usage.invalidate() : writeEnded() }
        do {
            return try await database.writer.write(body)
        } catch {
            throw Self.mapped(error)
        }
    }

    /// What every write transaction calls when it ends, committed or not: the caches of what it may have changed
    /// are dropped.
    func writeEnded() {
        usage.invalidate()
        files.invalidate()
    }

    /// `write` for an upload's commit: the transaction is shared with the other commits that arrive while one is
    /// under way (`GroupCommitter`), each in a savepoint of its own, so that they share one sync of the WAL.
    func writeShared<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await committer.run(body)
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
