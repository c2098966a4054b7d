import GRDB

extension FileTree {
    /// Creates a folder under `parent` (default the root), creating the group's space on first use. A
    /// `.folderCreated` event follows the commit.
    ///
    /// Throws `.invalid` for a bad name, `.folderNotFound` for a missing parent, `.nameConflict`
    /// when the parent already has a folder of that name, `.folderTooDeep` past the depth limit.
    public func createFolder(
        named rawName: String,
        in group: String,
        parent: FolderID = .root,
        by member: Member
    ) async throws -> Folder {
        let name = try Names.folderName(rawName)
        let now = clock()
        let maxDepth = settings.maxFolderDepth
        let owner = Owner.group(group)
        let folder = try await write { db in
            let space: SpaceRow
            if parent.isRoot {
                space = try Self.ensureSpace(db, owner, now: now, by: member)
            } else {
                guard let existing = try Self.space(db, owner) else { throw TrefoilError.folderNotFound }
                space = existing
            }
            guard let parentRow = try Self.folder(db, space: space.id!, parent) else {
                throw TrefoilError.folderNotFound
            }
            if parentRow.depth + 1 > maxDepth { throw TrefoilError.folderTooDeep }
            try Self.ensureNameFree(db, space: space.id!, parent: parent, name: name)
            let row = FolderRow(
                spaceId: space.id!, id: FolderID.make().rawValue, parentId: parent.rawValue, name: name,
                depth: parentRow.depth + 1, createTime: now, modifyTime: now, creator: member.id,
                creatorName: member.name, fileCount: 0)
            try row.insert(db)
            return row.folder(owner: owner)
        }
        events.publish(.folderCreated(folder, origin: EventOrigin.current))
        return folder
    }

    /// Renames a folder; the root cannot be renamed. A `.folderRenamed` event follows the commit, unless the
    /// folder already had that name.
    public func renameFolder(_ folder: FolderID, in group: String, to rawName: String) async throws {
        let name = try Names.folderName(rawName)
        if folder.isRoot { throw TrefoilError.invalid(.folder, "the root folder cannot be renamed") }
        let now = clock()
        let owner = Owner.group(group)
        let renamed = try await write { db -> Folder? in
            guard let space = try Self.space(db, owner),
                var row = try Self.folder(db, space: space.id!, folder),
                let parent = row.parentId
            else { throw TrefoilError.folderNotFound }
            if row.name == name { return nil }
            try Self.ensureNameFree(db, space: space.id!, parent: FolderID(parent), name: name)
            row.name = name
            row.modifyTime = now
            try row.update(db)
            return row.folder(owner: owner)
        }
        if let renamed { events.publish(.folderRenamed(renamed, origin: EventOrigin.current)) }
    }

    /// Deletes a folder with every folder and file inside it; blobs nobody references any more go too. One
    /// `.folderDeleted` event follows the commit, none for what was inside.
    public func deleteFolder(_ folder: FolderID, in group: String) async throws {
        if folder.isRoot { throw TrefoilError.invalid(.folder, "the root folder cannot be deleted") }
        let owner = Owner.group(group)
        let (deleted, orphans) = try await write { db -> (Folder, [String]) in
            guard let space = try Self.space(db, owner), let row = try Self.folder(db, space: space.id!, folder)
            else { throw TrefoilError.folderNotFound }
            // ON DELETE CASCADE removes sub-folders and files; the triggers move every counter.
            try db.execute(
                sql: "DELETE FROM folder WHERE space_id = ? AND id = ?", arguments: [space.id!, folder.rawValue])
            return (row.folder(owner: owner), try Self.unreferencedBlobs(db))
        }
        events.publish(.folderDeleted(deleted, origin: EventOrigin.current))
        await collectQuietly(orphans)
    }

    /// One folder of a group, or `.folderNotFound`.
    public func folder(_ id: FolderID, in group: String) async throws -> Folder {
        try await read { db in
            guard let space = try Self.space(db, .group(group)), let row = try Self.folder(db, space: space.id!, id)
            else { throw TrefoilError.folderNotFound }
            return row.folder(owner: .group(group))
        }
    }

    private static func ensureNameFree(_ db: Database, space: Int64, parent: FolderID, name: String) throws {
        let taken = try Bool.fetchOne(
            db,
            sql: "SELECT EXISTS (SELECT 1 FROM folder WHERE space_id = ? AND parent_id = ? AND name = ?)",
            arguments: [space, parent.rawValue, name])
        if taken == true { throw TrefoilError.nameConflict }
    }
}
