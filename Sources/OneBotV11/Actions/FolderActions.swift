import OneBotSpec
import TrefoilCore
import TrefoilJSON

/// Folder actions: create, rename, delete, and the listings and usage of a group's tree.
struct FolderActions: ActionHandler {
    let actions = [
        ActionCatalog.createGroupFileFolder, ActionCatalog.renameGroupFolder, ActionCatalog.deleteGroupFolder,
        ActionCatalog.getGroupFileSystemInfo, ActionCatalog.getGroupRootFiles, ActionCatalog.getGroupFilesByFolder,
    ]

    func handle(_ action: ActionSpec, _ params: Params, _ context: ActionContext) async throws -> JSONValue {
        let group = try params.int64(Param.groupID)
        let space = OneBotIDs.text(group)
        let tree = context.tree
        switch action {
        case ActionCatalog.createGroupFileFolder:
            let parent = try params.optionalString(Param.parentID).flatMap { $0.isEmpty ? nil : FolderID($0) } ?? .root
            let folder = try await tree.createFolder(
                named: try params.string(Param.folderName), in: space, parent: parent, by: context.member)
            return folder.createdObject
        case ActionCatalog.renameGroupFolder:
            try await tree.renameFolder(
                FolderID(try params.string(Param.folderID)), in: space, to: try params.string(Param.newFolderName))
            return .null
        case ActionCatalog.deleteGroupFolder:
            try await tree.deleteFolder(FolderID(try params.string(Param.folderID)), in: space)
            return .null
        case ActionCatalog.getGroupFileSystemInfo:
            let info = try await tree.fileSystemInfo(of: .group(group))
            return [
                "file_count": .int(info.fileCount), "limit_count": .int(info.limitCount),
                "used_space": .int(info.usedSpace), "total_space": .int(info.totalSpace), "group_id": .int(group),
            ]
        default:
            let folder =
                action == ActionCatalog.getGroupRootFiles ? FolderID.root : FolderID(try params.string(Param.folderID))
            // 0 reads as "no page size" as well: clients send it as their default.
            let limit = try params.optionalInt(Param.fileCount).flatMap { $0 == 0 ? nil : $0 }
            let offset = try params.optionalInt(Param.startIndex) ?? 0
            if let limit, limit < 0 { throw OneBotError.invalid(Param.fileCount.name, "must not be negative") }
            if offset < 0 { throw OneBotError.invalid(Param.startIndex.name, "must not be negative") }
            return try await context.listings.listing(
                .init(group: group, folder: folder, limit: limit, offset: offset), in: tree)
        }
    }
}
