import Hummingbird
import TrefoilCore
import TrefoilFaceKit
import TrefoilJSON

/// A group's announcement (`…/chatgroups/{group_id}/announcement`): the group's newest notice in the store, the one
/// OneBot bots read first with `_get_group_notice`. Setting it publishes a new notice (QQ keeps a list, Easemob
/// shows one: the newest).
struct AnnouncementRoutes: Sendable {
    let app: EasemobApp
    let context: FaceContext

    /// `GET` → `data: {announcement}` (empty text when the group has none).
    func get(_ request: Request, group rawGroup: Substring) async -> Response {
        let call = EasemobCall(app: app, request: request)
        guard let group = EasemobIDs.group(rawGroup) else { return call.failure(.groupUnknown(String(rawGroup))) }
        do {
            let newest = try await context.store.notices(of: .group(group)).first
            return call.success(data: ["announcement": .string(newest?.text ?? "")])
        } catch {
            return call.failure(.serverError("the announcement could not be read"))
        }
    }

    /// `POST {"announcement": "…"}` (at most 512 UTF-16 code units) → `data: {id, result: true}`.
    func set(_ request: Request, group rawGroup: Substring) async -> Response {
        let call = EasemobCall(app: app, request: request)
        guard let group = EasemobIDs.group(rawGroup) else { return call.failure(.groupUnknown(String(rawGroup))) }
        let text: String
        switch await JSONBody.object(of: request) {
        case .failure(let error): return call.failure(error)
        case .success(let body):
            guard let value = body["announcement"]?.stringValue else { return call.failure(.announcementMissing) }
            text = value
        }
        guard text.utf16.count <= EasemobLimits.announcementLength else {
            return call.failure(.announcementTooLong)
        }
        do {
            _ = try await context.store.publishNotice(text, for: .group(group), by: EasemobApp.admin)
        } catch {
            return call.failure(.serverError("the announcement could not be stored"))
        }
        return call.success(data: ["id": .string(group), "result": true])
    }
}
