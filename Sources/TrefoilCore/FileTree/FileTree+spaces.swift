import GRDB

/// A space and its counters, as an admin's table lists them.
public struct SpaceUsage: Sendable, Equatable {
    public var owner: Owner
    public var usedSpace: Int64
    public var fileCount: Int64
    /// Unix seconds of the space's first write.
    public var createdAt: Int64
}

extension FileTree {
    /// Every space of `kind` with its counters, in the order of `owners(of:)`, read in one query: a table that sorts,
    /// filters and pages on its own terms needs them all, and 10,000 spaces are one index scan.
    public func spaces(of kind: SpaceKind) async throws -> [SpaceUsage] {
        let rows = try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT owner, used_space, file_count, created_at FROM space WHERE kind = ?",
                arguments: [kind.rawValue]
            ).map {
                SpaceUsage(owner: Owner(kind, $0[0]), usedSpace: $0[1], fileCount: $0[2], createdAt: $0[3])
            }
        }
        return rows.sorted { Self.ownerPrecedes($0.owner.id, $1.owner.id) }
    }

    /// Every folder of a group but the root, shallowest first, then by name: the targets a file can be moved to.
    public func folders(in group: String) async throws -> [Folder] {
        let owner = Owner.group(group)
        return try await read { db in
            guard let space = try Self.space(db, owner) else { return [] }
            return try FolderRow.fetchAll(
                db, sql: "SELECT * FROM folder WHERE space_id = ? AND parent_id IS NOT NULL ORDER BY depth, name",
                arguments: [space.id!]
            ).map { $0.folder(owner: owner) }
        }
    }

    /// A space's biggest live files, from every folder, biggest first (ties newest first): where its quota went.
    public func largestFiles(of owner: Owner, limit: Int) async throws -> [StoredFile] {
        let now = clock()
        guard limit > 0 else { return [] }
        return try await read { db in
            guard let space = try Self.space(db, owner) else { return [] }
            return try FileDetail.fetchAll(
                db,
                sql: FileDetail.select + """
                     WHERE file.space_id = ? AND (file.dead_time = 0 OR file.dead_time > +?)
                    ORDER BY file.size DESC, file.upload_time DESC, file.id LIMIT ?
                    """,
                arguments: [space.id!, now, limit]
            ).map(\.stored)
        }
    }
}
