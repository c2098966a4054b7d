import OneBotSpec
import TrefoilCore
import TrefoilJSON

/// go-cqhttp's and NapCat's group announcement actions: `_send_group_notice`, `_get_group_notice`,
/// `_del_group_notice`, on the store's notices of the group's space, the same ones the Easemob face's
/// `…/chatgroups/{id}/announcement` reads (its announcement is the newest notice) and writes (a new notice).
struct GroupNoticeActions: ActionHandler {
    let actions = [ActionCatalog.sendGroupNotice, ActionCatalog.getGroupNotice, ActionCatalog.deleteGroupNotice]

    func handle(_ action: ActionSpec, _ params: Params, _ context: ActionContext) async throws -> JSONValue {
        let group = Owner.group(try params.int64(Param.groupID))
        let tree = context.tree
        switch action {
        case ActionCatalog.sendGroupNotice:
            let text = try params.string(Param.noticeContent)
            // A notice's picture would be a file of its own with no place in the store's notices: refused rather
            // than dropped, so a bot never believes it was published.
            if let image = try params.optionalString(Param.noticeImage), !image.isEmpty {
                throw OneBotError.unsupported("notice images are not supported: send the text alone")
            }
            let notice = try await tree.publishNotice(text, for: group, by: context.member)
            return ["notice_id": .string(notice.id)]
        case ActionCatalog.getGroupNotice:
            return .array(try await tree.notices(of: group).map(Self.entry))
        default:
            try await tree.deleteNotice(try params.string(Param.noticeID), of: group)
            return .null
        }
    }

    /// One notice as go-cqhttp lists it, with NapCat's `notice_id` and its older `image` key beside `images`.
    static func entry(_ notice: SpaceNotice) -> JSONValue {
        [
            "notice_id": .string(notice.id),
            "sender_id": .int(OneBotIDs.number(notice.author.id) ?? 0),
            "publish_time": .int(notice.publishedAt),
            "message": ["text": .string(notice.text), "images": [], "image": []],
        ]
    }
}
