import Hummingbird
import TrefoilCore
import TrefoilFaceKit
import TrefoilJSON
import TrefoilMetrics

/// A group's share files (`…/chatgroups/{group_id}/share_files`): the group's files in the store, the same ones
/// OneBot bots list with `get_group_root_files` and friends. An Easemob `file_id` is the stored file's id without
/// its leading `/`: OneBot's `/5fd7…` is Easemob's `5fd7…`.
struct ShareFileRoutes: Sendable {
    let app: EasemobApp
    let settings: EasemobSettings
    let context: FaceContext

    /// `GET …/share_files?pagenum=&pagesize=`: the group's files in every folder, newest first.
    func list(_ request: Request, group rawGroup: Substring) async -> Response {
        let call = EasemobCall(app: app, request: request)
        guard let group = EasemobIDs.group(rawGroup) else { return call.failure(.groupUnknown(String(rawGroup))) }
        let query = request.uri.queryParameters
        let page: Int
        let size: Int
        do throws(EasemobError) {
            page = try Self.number(query["pagenum"].map(String.init), name: "pagenum", default: 1)
            size = min(try Self.number(query["pagesize"].map(String.init), name: "pagesize", default: 1000), 1000)
        } catch {
            return call.failure(error)
        }
        let files: [StoredFile]
        do {
            let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: size)
            files = overflow ? [] : try await context.store.files(of: .group(group), limit: size, offset: offset)
        } catch {
            return call.failure(.serverError("the group's files could not be read"))
        }
        return call.success(data: .array(files.map(Self.entry)))
    }

    /// `POST …/share_files`: multipart `file`, at most `share_file_max_bytes`; the group's bots get `group_upload`.
    func upload(_ request: Request, group rawGroup: Substring) async -> Response {
        let call = EasemobCall(app: app, request: request)
        guard let group = EasemobIDs.group(rawGroup) else { return call.failure(.groupUnknown(String(rawGroup))) }
        let form: FileForm
        switch await FileForm.receive(
            request, uploads: context.uploads, maxBytes: settings.shareFileMaxBytes, defaultBox: settings.defaultBox)
        {
        case .success(let received): form = received
        case .failure(let error): return call.failure(error)
        }
        // `restrict-access` here means "group members only" in the service; every caller of this API holds the app
        // token (the app admin), so there is nobody it could hide the file from: it is read and checked, not kept.
        let stored: StoredFile
        do {
            stored = try await context.store.commit(
                form.staged, name: form.name, to: .group(group), by: EasemobApp.admin,
                options: FileOptions(previewBox: form.previewBox))
        } catch {
            return call.failure(.commitFailed(error))
        }
        TransferMetrics(face: EasemobFace.name, factory: context.metrics).stored(.multipart, bytes: stored.size)
        var data = Self.entry(stored)
        if case .object(var members) = data {
            members["file_url"] = .string(fileURL(group: group, stored.id))
            members["group_id"] = .string(group)
            members["file_owner"] = nil
            data = .object(members)
        }
        return call.success(data: data)
    }

    /// `DELETE …/share_files/{file_id}` → `{group_id, file_id, result: true}`.
    func delete(_ request: Request, group rawGroup: Substring, file rawFile: Substring) async -> Response {
        let call = EasemobCall(app: app, request: request)
        guard let group = EasemobIDs.group(rawGroup) else { return call.failure(.groupUnknown(String(rawGroup))) }
        guard let id = EasemobIDs.file(rawFile) else { return call.failure(.shareFileUnknown(String(rawFile))) }
        do {
            try await context.store.deleteFile(id, of: .group(group))
        } catch TrefoilError.fileNotFound {
            return call.failure(.shareFileUnknown(String(rawFile)))
        } catch {
            return call.failure(.serverError("the file could not be deleted"))
        }
        return call.success(data: ["group_id": .string(group), "file_id": .string(String(rawFile)), "result": true])
    }

    /// Where a share file downloads from.
    func fileURL(group: String, _ id: FileID) -> String {
        "\(app.uriBase)/chatgroups/\(group)/share_files/\(EasemobIDs.wire(id))"
    }

    /// A listing row: `{file_id, file_name, file_owner, file_size, created}` (`created` in milliseconds).
    static func entry(_ file: StoredFile) -> JSONValue {
        [
            "file_id": .string(EasemobIDs.wire(file.id)),
            "file_name": .string(file.name),
            "file_owner": .string(file.uploader),
            "file_size": .int(file.size),
            "created": .int(file.uploadTime.multipliedReportingOverflow(by: 1000).partialValue),
        ]
    }

    /// A positive whole number given as text; absent is `default`.
    static func number(_ text: String?, name: String, default fallback: Int) throws(EasemobError) -> Int {
        guard let text else { return fallback }
        guard let value = Int(text), value >= 1 else { throw .illegalArgument("\(name) must be a whole number from 1") }
        return value
    }
}
