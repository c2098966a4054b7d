import Foundation
import Hummingbird
import TrefoilCore
import TrefoilFaceKit
import TrefoilJSON

/// `GET /file/upload/avatar/user`, `/file/upload/avatar/group?group_id=`, `/file/upload/chat?file_type=&to_id=&to_type=`:
/// upload tickets `{upload_url, upload_method, oss_body_param, download_url}`.
struct TicketRoutes: Sendable {
    let settings: QiniuSettings
    let auth: QiniuAuth
    let signs: QiniuSigns
    let signer: LinkSigner
    let publicURL: String

    func userAvatar(_ request: Request) async -> Response {
        await issue(request) { caller, _ in
            guard case .user(let user) = caller else {
                throw QiniuError.badParam(
                    "an avatar ticket is for a user: send a user token, or user_id with an admin token")
            }
            return (.userAvatar(user), settings.avatarMaxBytes)
        }
    }

    func groupAvatar(_ request: Request) async -> Response {
        await issue(request) { _, query in
            guard let text = query["group_id"] else { throw QiniuError.badParam("group_id is required") }
            guard let group = Int64(text) else { throw QiniuError.badParam("group_id must be an integer") }
            return (.groupAvatar(group), settings.avatarMaxBytes)
        }
    }

    func chat(_ request: Request) async -> Response {
        await issue(request) { _, query in
            guard let typeText = query["file_type"] else { throw QiniuError.badParam("file_type is required") }
            guard let raw = Int(typeText), let type = FileType(rawValue: raw) else {
                throw QiniuError.badParam("file_type must be one of 100-104 or 200-203")
            }
            guard let toText = query["to_id"] else { throw QiniuError.badParam("to_id is required") }
            guard let toID = Int64(toText) else { throw QiniuError.badParam("to_id must be an integer") }
            guard let toType = query["to_type"].flatMap({ Int($0) }), toType == 1 || toType == 2 else {
                throw QiniuError.badParam("to_type must be 1 (a user) or 2 (a group)")
            }
            if type.isShared, toType != 2 {
                throw QiniuError.badParam("file_type \(raw) is a group's shared file: to_type must be 2")
            }
            return (.chat(type, toType: toType, toID: toID), type.maxBytes(settings))
        }
    }

    /// Authenticates, asks `target` what the ticket is for, and answers with the ticket.
    private func issue(
        _ request: Request,
        _ target: (QiniuCaller, [String: String]) throws -> (UploadTicket.Target, Int64)
    ) async -> Response {
        let caller: QiniuCaller
        switch await auth.caller(request.headers) {
        case .success(let found): caller = found
        case .failure(let error): return error.response
        }
        let query = FormEncoding.decode(Substring(request.uri.query ?? "")) ?? [:]
        let chosen: (UploadTicket.Target, Int64)
        do {
            chosen = try target(caller, query)
        } catch let error as QiniuError {
            return error.response
        } catch {
            return QiniuError.badParam("\(error)").response
        }
        let ticket = UploadTicket(
            id: UUID().uuidString.lowercased(), app: settings.appID, sender: caller.senderID, target: chosen.0,
            maxBytes: chosen.1, expires: auth.now() + settings.ticketTTLSeconds)
        return QiniuReply.success(answer(for: ticket))
    }

    /// The ticket as the client gets it.
    func answer(for ticket: UploadTicket) -> JSONValue {
        let policy = ticket.policy
        let signature = ticket.signature(signer)
        let fields: [String: JSONValue] = [
            "OSSAccessKeyId": "trefoil", "policy": .string(policy), "signature": .string(signature),
            "key": .string(ticket.id),
        ]
        var uploadURL = publicURL + QiniuPaths.upload
        if settings.uploadMethod == .put {
            let query = ["key": ticket.id, "policy": policy, "signature": signature]
                .sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            uploadURL += "?" + query.joined(separator: "&")
        }
        return [
            "upload_url": .string(uploadURL),
            "upload_method": .string(settings.uploadMethod.rawValue),
            "oss_body_param": .object(fields),
            "download_url": .string(downloadURL(for: ticket)),
        ]
    }

    /// Where the file will download from once uploaded: it is named before it exists, by the ticket's id.
    func downloadURL(for ticket: UploadTicket) -> String {
        switch ticket.target {
        case .chat:
            publicURL + QiniuPaths.downloadChat + "?file_sign=" + signs.fileSign(FileID("/" + ticket.id))
        case .userAvatar(let user):
            publicURL + QiniuPaths.downloadAvatar + "?object_name=" + signs.objectName(.user(user))
        case .groupAvatar(let group):
            publicURL + QiniuPaths.downloadAvatar + "?object_name=" + signs.objectName(.group(group))
        }
    }
}

/// The face's paths (it owns `/file`).
enum QiniuPaths {
    static let prefix = "/file"
    static let upload = "/file/upload/put"
    static let downloadChat = "/file/download/chat"
    static let downloadAvatar = "/file/download/avatar"
}
