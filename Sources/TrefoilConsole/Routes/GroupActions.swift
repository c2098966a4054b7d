import HTTPTypes
import Hummingbird
import NIOCore
import TrefoilCore
import TrefoilFaceKit
import TrefoilJSON
import TrefoilMetrics

/// The forms that change a group's files (create a folder, rename, move, delete) and the upload, each through the
/// same store call as the bot API, so that every face sees the change as it sees a bot's (a console upload reaches
/// OneBot bots as `group_upload`). Each form is answered with a redirect to the folder it changed and a flash.
struct GroupActions: Sendable {
    let store: FileTree
    let uploads: UploadService
    let sessions: ConsoleSessions
    /// Who the console's uploads and folders are by.
    let member: Member
    /// The console's uploads in `trefoil_uploads_total` (face `console`, source `raw`).
    let transfers: TransferMetrics

    func createFolder(_ context: ConsoleRequestContext) async -> Response {
        let form = context.form
        guard let group = form["group"], !group.isEmpty, let name = form["name"] else { return badForm(context) }
        let parent = FolderID(form["parent"] ?? "/")
        return await sessions.act(context, back: ConsolePaths.group(group, folder: parent.rawValue)) {
            let folder = try await store.createFolder(named: name, in: group, parent: parent, by: member)
            return context.language.text("folder_created", folder.name)
        }
    }

    func rename(_ context: ConsoleRequestContext) async -> Response {
        let form = context.form
        guard let group = form["group"], !group.isEmpty, let name = form["name"] else { return badForm(context) }
        if let id = form["file"] {
            let file = try? await store.file(FileID(id), of: .group(group))
            return await sessions.act(context, back: ConsolePaths.group(group, folder: file?.folderID.rawValue)) {
                try await store.renameFile(FileID(id), of: .group(group), to: name)
                return context.language.text("renamed", try await store.file(FileID(id), of: .group(group)).name)
            }
        }
        guard let id = form["folder"] else { return badForm(context) }
        let folder = try? await store.folder(FolderID(id), in: group)
        return await sessions.act(context, back: ConsolePaths.group(group, folder: folder?.parentID?.rawValue)) {
            try await store.renameFolder(FolderID(id), in: group, to: name)
            return context.language.text("renamed", try await store.folder(FolderID(id), in: group).name)
        }
    }

    func move(_ context: ConsoleRequestContext) async -> Response {
        let form = context.form
        guard let group = form["group"], !group.isEmpty, let id = form["file"], let target = form["target"] else {
            return badForm(context)
        }
        return await sessions.act(context, back: ConsolePaths.group(group, folder: target)) {
            let file = try await store.file(FileID(id), of: .group(group))
            try await store.moveFile(file.id, in: group, to: FolderID(target))
            return context.language.text("moved", file.name)
        }
    }

    func delete(_ context: ConsoleRequestContext) async -> Response {
        let form = context.form
        guard let group = form["group"], !group.isEmpty else { return badForm(context) }
        if let id = form["file"] {
            let file = try? await store.file(FileID(id), of: .group(group))
            return await sessions.act(context, back: ConsolePaths.group(group, folder: file?.folderID.rawValue)) {
                guard let file else { throw TrefoilError.fileNotFound }
                try await store.deleteFile(file.id, of: .group(group))
                return context.language.text("deleted", file.name)
            }
        }
        guard let id = form["folder"] else { return badForm(context) }
        let folder = try? await store.folder(FolderID(id), in: group)
        return await sessions.act(context, back: ConsolePaths.group(group, folder: folder?.parentID?.rawValue)) {
            guard let folder else { throw TrefoilError.folderNotFound }
            try await store.deleteFolder(folder.id, in: group)
            return context.language.text("deleted", folder.name)
        }
    }

    /// `PUT /console/group/upload?group=…&folder=…&name=…`: the body is the file, streamed into the store as a
    /// bot's raw upload is. Answers `{"id": …, "name": …}`, or `{"error": …}` with the failure's status, for the
    /// page's script.
    func upload(_ request: Request, _ context: ConsoleRequestContext) async -> Response {
        let query = request.uri.queryParameters
        let t = context.language
        guard let group = query["group"].map(String.init), !group.isEmpty else {
            return Self.json(.badRequest, ["error": t.text("bad_request")])
        }
        let owner = Owner.group(group)
        let folder = FolderID(query["folder"].map(String.init) ?? "/")
        do {
            // Refused before a byte is read when the commit would refuse anyway (a full group, a missing folder).
            try await store.precheck(owner: owner, folder: folder)
            let upload = try await uploads.receiveRaw(request)
            let name = query["name"].map(String.init) ?? upload.suggestedName ?? "upload"
            let file = try await store.commit(upload.staged, name: name, to: owner, folder: folder, by: member)
            transfers.stored(.raw, bytes: file.size)
            return Self.json(.ok, ["id": file.id.rawValue, "name": file.name])
        } catch {
            let failure = ConsoleFailure(error, language: t)
            return Self.json(failure.status, ["error": failure.message])
        }
    }

    private func badForm(_ context: ConsoleRequestContext) -> Response {
        ConsolePages.plain(.badRequest, context.language.text("bad_request"))
    }

    static func json(_ status: HTTPResponse.Status, _ fields: [String: String]) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(
                byteBuffer: ByteBuffer(bytes: JSONValue.object(fields.mapValues { .string($0) }).encoded())))
    }
}
