import OneBotSpec
import TrefoilCore
import TrefoilJSON

/// Actions on one group file: delete, move, rename, trans, and its download URL.
struct GroupFileActions: ActionHandler {
    let actions = [
        ActionCatalog.deleteGroupFile, ActionCatalog.moveGroupFile, ActionCatalog.renameGroupFile,
        ActionCatalog.transGroupFile, ActionCatalog.getGroupFileURL,
    ]

    func handle(_ action: ActionSpec, _ params: Params, _ context: ActionContext) async throws -> JSONValue {
        let group = try params.int64(Param.groupID)
        let file = FileID(try params.string(Param.fileID))
        _ = try params.optionalInt(Param.busid)  // accepted and validated, never needed: ids are unique
        let tree = context.tree
        switch action {
        case ActionCatalog.deleteGroupFile:
            try await tree.deleteFile(file, of: .group(group))
        case ActionCatalog.moveGroupFile:
            let target = FolderID(try params.string(Param.targetDirectory))
            let current = try params.optionalString(Param.currentDirectory).flatMap { $0.isEmpty ? nil : FolderID($0) }
            try await tree.moveFile(file, in: OneBotIDs.text(group), to: target, expectedParent: current)
        case ActionCatalog.renameGroupFile:
            try await tree.renameFile(file, of: .group(group), to: try params.string(Param.newName))
        case ActionCatalog.transGroupFile:
            try await tree.makePermanent(file, of: .group(group))
        default:
            let stored = try await tree.file(file, of: .group(group))
            return ["url": .string(context.downloadURL(for: stored))]
        }
        return .null
    }
}

/// `get_private_file_url`.
struct PrivateFileActions: ActionHandler {
    let actions = [ActionCatalog.getPrivateFileURL]

    func handle(_ action: ActionSpec, _ params: Params, _ context: ActionContext) async throws -> JSONValue {
        let file = FileID(try params.string(Param.fileID))
        let stored: StoredFile
        if let user = try params.optionalInt64(Param.userID) {
            stored = try await context.tree.file(file, of: .user(user))
        } else {
            stored = try await context.tree.file(file)
            guard stored.owner.kind == .user else { throw TrefoilError.fileNotFound }
        }
        return ["url": .string(context.downloadURL(for: stored))]
    }
}
