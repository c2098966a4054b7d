/// A single-use ticket a commit spends (`FileTree.commit(…, ticket:)`): the face issued and signed it, the store
/// only remembers that it was used.
public struct TicketUse: Sendable, Equatable {
    /// The ticket's id: unique per ticket, non-empty, without a NUL.
    public var id: String
    /// When the ticket stops being valid (Unix seconds, the store's clock): the store remembers the id until then.
    public var expires: Int64

    public init(id: String, expires: Int64) {
        self.id = id
        self.expires = expires
    }
}

extension TicketUse {
    /// Refuses an id SQLite could not keep whole (GRDB binds a string only up to its first NUL, so two ids that
    /// differ after one would be taken for the same ticket) and an empty one.
    func check() throws(TrefoilError) {
        if id.isEmpty { throw .invalid(.ticketID, "must not be empty") }
        if !FileTree.isExact(id) { throw .invalid(.ticketID, "must not contain a NUL") }
    }
}
