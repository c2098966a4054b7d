import Foundation
import TrefoilCore
import TrefoilJSON

/// An upload ticket's policy: where the bytes go, who sends them, how many may come, until when, and the id the
/// file will have. Handed to the client base64url-encoded (`policy`) with the signer's `uploadTicket` signature of
/// that text (`signature`), both among `oss_body_param`, as Aliyun OSS's PostObject policies travel; the upload
/// checks the signature and the expiry before a byte of the file is kept, and the id is used once.
struct UploadTicket: Sendable, Equatable {
    /// A lowercase UUID: the stored file's id (`/<id>`), and what makes the ticket single-use.
    var id: String
    var app: String
    /// The sender: a user id, or 0 for an admin.
    var sender: Int64
    var target: Target
    var maxBytes: Int64
    /// Unix seconds.
    var expires: Int64

    enum Target: Sendable, Equatable {
        case chat(FileType, toType: Int, toID: Int64)
        case userAvatar(Int64)
        case groupAvatar(Int64)
    }

    /// The policy text: base64url of a JSON object.
    var policy: String {
        var members: [String: JSONValue] = [
            "id": .string(id), "app": .string(app), "sender": .int(sender), "max": .int(maxBytes),
            "exp": .int(expires),
        ]
        switch target {
        case .chat(let type, let toType, let toID):
            members["target"] = "chat"
            members["file_type"] = .int(Int64(type.rawValue))
            members["to_type"] = .int(Int64(toType))
            members["to_id"] = .int(toID)
        case .userAvatar(let user):
            members["target"] = "avatar_user"
            members["to_id"] = .int(user)
        case .groupAvatar(let group):
            members["target"] = "avatar_group"
            members["to_id"] = .int(group)
        }
        return Data(JSONValue.object(members).encoded()).base64URLEncoded()
    }

    func signature(_ signer: LinkSigner) -> String {
        signer.signature(.uploadTicket, subject: policy, expires: expires)
    }

    /// Why a ticket presented with an upload is refused.
    enum Refusal: Error, Equatable {
        case missing
        case forged
        case expired
    }

    /// The ticket `policy` and `signature` stand for, at `now`, for `app`.
    static func read(policy: String?, signature: String?, app: String, signer: LinkSigner, now: Int64)
        -> Result<UploadTicket, Refusal>
    {
        guard let policy, let signature, !policy.isEmpty, !signature.isEmpty else { return .failure(.missing) }
        guard let ticket = decode(policy), ticket.app == app,
            signer.isAuthentic(signature: signature, .uploadTicket, subject: policy, expires: ticket.expires)
        else { return .failure(.forged) }
        guard ticket.expires > now else { return .failure(.expired) }
        return .success(ticket)
    }

    private static func decode(_ policy: String) -> UploadTicket? {
        guard policy.utf8.count <= 4096, let data = Data(base64URLEncoded: policy), let json = JSONParser.parse(data),
            let id = json["id"]?.stringValue, let app = json["app"]?.stringValue,
            case .int(let sender)? = json["sender"], case .int(let max)? = json["max"],
            case .int(let expires)? = json["exp"], case .int(let toID)? = json["to_id"]
        else { return nil }
        let target: Target
        switch json["target"]?.stringValue {
        case "chat":
            guard case .int(let rawType)? = json["file_type"], let type = FileType(rawValue: Int(rawType)),
                case .int(let toType)? = json["to_type"]
            else { return nil }
            target = .chat(type, toType: Int(toType), toID: toID)
        case "avatar_user": target = .userAvatar(toID)
        case "avatar_group": target = .groupAvatar(toID)
        default: return nil
        }
        return UploadTicket(id: id, app: app, sender: sender, target: target, maxBytes: max, expires: expires)
    }
}
