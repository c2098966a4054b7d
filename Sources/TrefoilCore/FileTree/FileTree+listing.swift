import GRDB

extension FileTree {
    /// The contents of a folder: sub-folders by name, then files newest first (ties by id).
    ///
    /// `limit` and `offset` page that one combined sequence; `limit` nil means everything. The root
    /// of a group that has never been written to is empty, not missing.
    public func list(_ folder: FolderID = .root, in group: Int64, limit: Int? = nil, offset: Int = 0) async throws
        -> FolderListing
    {
        let now = clock()
        let owner = Owner.group(group)
        return try await read { db in
            guard let space = try Self.space(db, owner) else {
                if folder.isRoot { return FolderListing(folders: [], files: []) }
                throw TrefoilError.folderNotFound
            }
            let spaceID = space.id!
            guard try Self.folder(db, space: spaceID, folder) != nil else { throw TrefoilError.folderNotFound }
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
            let filesWanted = wanted - folders.count
            guard filesWanted > 0 else { return FolderListing(folders: folders, files: []) }
            // The inner query pages over the covering index alone, so a deep offset never joins the
            // rows it skips.
            let files = try FileDetail.fetchAll(
                db.cachedStatement(
                    sql: FileDetail.select + """
                         WHERE file.id IN (
                            SELECT id FROM file
                            WHERE space_id = ? AND folder_id = ? AND (dead_time = 0 OR dead_time > ?)
                            ORDER BY upload_time DESC, id LIMIT ? OFFSET ?)
                        ORDER BY file.upload_time DESC, file.id
                        """),
                arguments: [spaceID, folder.rawValue, now, Self.sqlLimit(filesWanted), max(0, start - folderCount)]
            ).map(\.stored)
            return FolderListing(folders: folders, files: files)
        }
    }

    /// A group's usage and limits; a group never written to shows zero usage.
    public func fileSystemInfo(of group: Int64) async throws -> FileSystemInfo {
        let settings = self.settings
        return try await read { db in
            let space = try Self.space(db, .group(group))
            return FileSystemInfo(
                fileCount: space?.fileCount ?? 0, limitCount: settings.groupFileLimit,
                usedSpace: space?.usedSpace ?? 0, totalSpace: settings.groupTotalSpace)
        }
    }

    /// Every group that has a space, in ascending order.
    public func groups() async throws -> [Int64] {
        try await read { db in
            try Int64.fetchAll(db, sql: "SELECT owner FROM space WHERE kind = 'group' ORDER BY owner")
        }
    }

    private static func sqlLimit(_ n: Int) -> Int64 { n == Int.max ? -1 : Int64(n) }
}
