import GRDB

extension FileTree {
    /// The contents of a folder: sub-folders by name, then files newest first (ties by id).
    ///
    /// `limit` and `offset` page that one combined sequence; `limit` nil means everything. The root
    /// of a group that has never been written to is empty, not missing.
    public func list(_ folder: FolderID = .root, in group: String, limit: Int? = nil, offset: Int = 0) async throws
        -> FolderListing
    {
        try await stampedList(folder, in: group, limit: limit, offset: offset).listing
    }

    /// `list`, with the stamp that tells later whether the same call would still return the same listing
    /// (`isCurrent`), so that a face can keep what it rendered from it.
    public func stampedList(_ folder: FolderID = .root, in group: String, limit: Int? = nil, offset: Int = 0)
        async throws -> (listing: FolderListing, stamp: ListingStamp)
    {
        let now = clock()
        // Taken before the read: a write that ends while we read makes the stamp stale at once.
        let generation = usage.generation
        let owner = Owner.group(group)
        return try await read { db in
            guard let space = try Self.space(db, owner) else {
                if folder.isRoot {
                    return (
                        FolderListing(folders: [], files: []), ListingStamp(generation: generation, validUntil: .max)
                    )
                }
                throw TrefoilError.folderNotFound
            }
            let spaceID = space.id!
            guard let folderRow = try Self.folder(db, space: spaceID, folder) else {
                throw TrefoilError.folderNotFound
            }
            let wanted = limit.map { max(0, $0) } ?? Int.max
            let start = max(0, offset)

            let folderCount =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT COUNT(*) FROM folder WHERE space_id = ? AND parent_id = ?"),
                    arguments: [spaceID, folder.rawValue]) ?? 0
            var folders: [Folder] = []
            if start < folderCount && wanted > 0 {
                folders = try FolderRow.fetchAll(
                    db,
                    sql: "SELECT * FROM folder WHERE space_id = ? AND parent_id = ? ORDER BY name LIMIT ? OFFSET ?",
                    arguments: [spaceID, folder.rawValue, Self.sqlLimit(wanted), start]
                ).map { $0.folder(owner: owner) }
            }
            // Besides a write, only the expiry of one of the folder's files can change what this call returns.
            let nextExpiry =
                try Int64.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT dead_time FROM file INDEXED BY file_folder_expiry
                            WHERE space_id = ? AND folder_id = ? AND dead_time > 0 AND dead_time > ?
                            ORDER BY dead_time LIMIT 1
                            """),
                    arguments: [folderRow.spaceId, folderRow.id, now]) ?? .max
            let stamp = ListingStamp(generation: generation, validUntil: nextExpiry)
            let filesWanted = wanted - folders.count
            guard filesWanted > 0 else { return (FolderListing(folders: folders, files: []), stamp) }
            let files = try Self.pageOfFiles(
                db, in: folderRow, now: now, offset: max(0, start - folderCount), limit: filesWanted)
            return (FolderListing(folders: folders, files: files), stamp)
        }
    }

    /// A page of a space's live files from every folder, newest first (ties by id): a flat listing for faces that
    /// have no folders. A space never written to has none.
    public func files(of owner: Owner, limit: Int, offset: Int) async throws -> [StoredFile] {
        let now = clock()
        guard limit > 0 else { return [] }
        return try await read { db in
            guard let space = try Self.space(db, owner) else { return [] }
            // The inner query pages over the covering index alone, so the rows it skips are never joined.
            return try FileDetail.fetchAll(
                db.cachedStatement(
                    sql: FileDetail.select + """
                         WHERE file.id IN (
                            SELECT id FROM file INDEXED BY file_space_recent
                            WHERE space_id = ? AND (dead_time = 0 OR dead_time > +?)
                            ORDER BY upload_time DESC, id LIMIT ? OFFSET ?)
                        ORDER BY file.upload_time DESC, file.id
                        """),
                arguments: [space.id!, now, limit, max(0, offset)]
            ).map(\.stored)
        }
    }

    /// Whether a listing stamped `stamp` is still what the same call returns: no write transaction has ended
    /// since it was read, and none of its folder's files has expired since. Takes a lock, never the database.
    public func isCurrent(_ stamp: ListingStamp) -> Bool {
        stamp.generation == usage.generation && clock() < stamp.validUntil
    }

    /// A space's usage and the limits of its kind; a space never written to shows zero usage.
    ///
    /// Answered from `usage` when no write has ended since the space's counters were last read.
    public func fileSystemInfo(of owner: Owner) async throws -> FileSystemInfo {
        let usage: UsageCache.Usage
        if let cached = self.usage.usage(of: owner) {
            usage = cached
        } else {
            let generation = self.usage.generation
            usage = try await read { db in
                let space = try Self.space(db, owner)
                return UsageCache.Usage(usedSpace: space?.usedSpace ?? 0, fileCount: space?.fileCount ?? 0)
            }
            self.usage.store(usage, of: owner, readAfter: generation)
        }
        let limits = settings[owner.kind]
        return FileSystemInfo(
            fileCount: usage.fileCount, limitCount: limits.fileLimit, usedSpace: usage.usedSpace,
            totalSpace: limits.totalSpace)
    }

    /// The owner ids of every space of `kind`: those written in decimal (`"9"`, `"10"`, `"-5"`) in numeric
    /// order, then the others (`"u1"`) in text order, so ids that are numbers keep the order they had when the
    /// store held them as numbers.
    public func owners(of kind: SpaceKind) async throws -> [String] {
        let ids = try await read { db in
            try String.fetchAll(db, sql: "SELECT owner FROM space WHERE kind = ?", arguments: [kind.rawValue])
        }
        return ids.sorted(by: Self.ownerPrecedes)
    }

    /// The order of owner ids: those written in decimal in numeric order, then the others in text order.
    static func ownerPrecedes(_ a: String, _ b: String) -> Bool {
        switch (decimal(a), decimal(b)) {
        case (let x?, let y?): x < y
        case (.some, nil): true
        case (nil, .some): false
        case (nil, nil): a < b
        }
    }

    /// The number an id writes in canonical decimal (as `String(Int64)` writes it), else nil.
    private static func decimal(_ id: String) -> Int64? {
        guard let number = Int64(id), String(number) == id else { return nil }
        return number
    }

    /// One page of a folder's live files, newest first (ties by id).
    ///
    /// `OFFSET` steps through the skipped index entries one by one, so a page past the middle of a
    /// large folder is read from the other end of the index (oldest first) and put back in order:
    /// the last page of 100,000 files costs what the first one does. The folder's `file_count`
    /// (kept by triggers in the same snapshot) minus its expired-but-not-yet-purged files gives the
    /// live count that reversal needs (expired files are counted through `file_folder_expiry`, a range
    /// of the folder's own expiring files); when nothing has expired, the liveness test is left out of
    /// the index walk as well.
    static func pageOfFiles(_ db: Database, in folder: FolderRow, now: Int64, offset: Int, limit: Int) throws
        -> [StoredFile]
    {
        let expired =
            try Int.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT COUNT(*) FROM file INDEXED BY file_folder_expiry
                        WHERE space_id = ? AND folder_id = ? AND dead_time > 0 AND dead_time <= ?
                        """),
                arguments: [folder.spaceId, folder.id, now]) ?? 0
        let live = Int(folder.fileCount) - expired
        guard offset < live, limit > 0 else { return [] }
        let count = min(limit, live - offset)
        let after = live - offset - count
        let (order, skip) = after < offset ? ("upload_time ASC, id DESC", after) : ("upload_time DESC, id", offset)
        let liveOnly = expired == 0 ? "" : " AND (dead_time = 0 OR dead_time > +?)"
        var arguments: StatementArguments = [folder.spaceId, folder.id]
        if expired > 0 { arguments += [now] }
        arguments += [count, skip]
        // The inner query pages over the covering index alone, so the rows it skips are never joined.
        return try FileDetail.fetchAll(
            db.cachedStatement(
                sql: FileDetail.select + """
                     WHERE file.id IN (
                        SELECT id FROM file WHERE space_id = ? AND folder_id = ?\(liveOnly)
                        ORDER BY \(order) LIMIT ? OFFSET ?)
                    ORDER BY file.upload_time DESC, file.id
                    """),
            arguments: arguments
        ).map(\.stored)
    }

    private static func sqlLimit(_ n: Int) -> Int64 { n == Int.max ? -1 : Int64(n) }
}
