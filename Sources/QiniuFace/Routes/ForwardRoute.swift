import Hummingbird
import TrefoilCore
import TrefoilFaceKit
import TrefoilJSON

/// `GET /file/upload/forward?file_sign=&to_id=&to_type=`: the file, shared into another conversation without a
/// copy (a new file of that conversation on the same bytes); `data` is its `download_url`, a bare string.
struct ForwardRoute: Sendable {
    let settings: QiniuSettings
    let auth: QiniuAuth
    let signs: QiniuSigns
    let context: FaceContext
    let publicURL: String

    func answer(_ request: Request) async -> Response {
        let caller: QiniuCaller
        switch await auth.caller(request.headers) {
        case .success(let found): caller = found
        case .failure(let error): return error.response
        }
        let query = FormEncoding.decode(Substring(request.uri.query ?? "")) ?? [:]
        guard let sign = query["file_sign"], !sign.isEmpty else {
            return QiniuError.badParam("file_sign is required").response
        }
        guard let toID = query["to_id"].flatMap({ Int64($0) }) else {
            return QiniuError.badParam("to_id is required and must be an integer").response
        }
        guard let toType = query["to_type"].flatMap({ Int($0) }), toType == 1 || toType == 2 else {
            return QiniuError.badParam("to_type must be 1 (a user) or 2 (a group)").response
        }
        guard let id = signs.file(fromSign: sign) else {
            return QiniuError.forbidden("file_sign is not valid").response
        }
        let source: StoredFile
        do {
            source = try await context.store.file(id)
        } catch {
            return QiniuError.notFound("the file does not exist or has expired").response
        }
        guard QiniuSpaces.mayRead(source.owner, caller: caller, app: settings.appID) else {
            return QiniuError.forbidden("the caller may not read this file").response
        }
        let target =
            toType == 1
            ? QiniuSpaces.conversation(caller.senderID, toID, app: settings.appID)
            : Owner(.app, "qiniu/\(settings.appID)/group/\(toID)")
        do {
            let linked = try await context.store.link(source, to: target, by: Member(id: String(caller.senderID)))
            return QiniuReply.success(
                .string(publicURL + QiniuPaths.downloadChat + "?file_sign=" + signs.fileSign(linked.id)))
        } catch {
            return UploadRoute.commitFailure(error).response
        }
    }
}
