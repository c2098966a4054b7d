import TrefoilCore

/// Where the face's files live in the store, and who may read them.
///
/// - a user-to-user conversation's files: the `app` space `qiniu/<app>/chat/<low id>_<high id>` (both sides share it);
/// - a group conversation's chat files (1xx): the `app` space `qiniu/<app>/group/<group id>`;
/// - a group's shared files (2xx): the group's own space, `group "<group id>"`, the one OneBot bots see;
/// - avatars: the `avatar` spaces `qiniu/<app>/user/<id>` and `qiniu/<app>/group/<id>`, one current file each.
enum QiniuSpaces {
    static func owner(of target: UploadTicket.Target, sender: Int64, app: String) -> Owner {
        switch target {
        case .chat(let type, _, let group) where type.isShared: .group(String(group))
        case .chat(_, let toType, let toID) where toType == 1: conversation(sender, toID, app: app)
        case .chat(_, _, let group): Owner(.app, "qiniu/\(app)/group/\(group)")
        case .userAvatar(let user): avatar(.user(user), app: app)
        case .groupAvatar(let group): avatar(.group(group), app: app)
        }
    }

    static func conversation(_ one: Int64, _ other: Int64, app: String) -> Owner {
        Owner(.app, "qiniu/\(app)/chat/\(min(one, other))_\(max(one, other))")
    }

    static func avatar(_ owner: QiniuSigns.AvatarOwner, app: String) -> Owner {
        switch owner {
        case .user(let id): Owner(.avatar, "qiniu/\(app)/user/\(id)")
        case .group(let id): Owner(.avatar, "qiniu/\(app)/group/\(id)")
        }
    }

    /// Whether `caller` may read files of `owner`. A user conversation's files are its two users' (and the app
    /// admin's); a group's files are any caller's of the app: Trefoil does not know a group's members, and a
    /// `file_sign` is only ever seen in the group's messages.
    static func mayRead(_ owner: Owner, caller: QiniuCaller, app: String) -> Bool {
        let conversations = "qiniu/\(app)/chat/"
        guard owner.kind == .app, owner.id.hasPrefix(conversations) else {
            return owner.kind == .group || owner.id.hasPrefix("qiniu/\(app)/")
        }
        guard case .user(let user) = caller else { return caller == .admin }
        let pair = owner.id.dropFirst(conversations.count).split(separator: "_")
        return pair.count == 2 && pair.contains { Int64($0) == user }
    }
}
