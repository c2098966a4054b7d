/// Who a call acts as, once its `access-token` (and, for an admin token, its `user_id` or `group_id` header) is read.
enum QiniuCaller: Sendable, Equatable {
    /// A user: a user token's subject, or an admin token with `user_id`.
    case user(Int64)
    /// The admin of a group: an admin token with `group_id`.
    case groupAdmin(Int64)
    /// The app itself: an admin token with neither header.
    case admin

    /// The user id the caller sends files as; the app and group admins send as 0, as system messages do.
    var senderID: Int64 {
        if case .user(let id) = self { return id }
        return 0
    }

    var isAdmin: Bool { self != .user(senderID) }
}
