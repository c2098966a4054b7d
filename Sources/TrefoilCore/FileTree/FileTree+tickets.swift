import GRDB

extension FileTree {
    /// Whether a commit has used the ticket `id` (and the janitor has not yet forgotten it, which it does only after
    /// the ticket's expiry): for refusing a reused ticket before reading any byte. The commit decides; this only
    /// spares receiving a body that would be refused.
    public func isTicketUsed(_ id: String) async throws -> Bool {
        guard Self.isExact(id) else { return false }
        return try await read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM used_ticket WHERE id = ?)"), arguments: [id])
                ?? false
        }
    }

    /// Inside a commit's transaction: records the ticket as used, or throws `.ticketUsed` when it already was or
    /// has expired (see `commit`).
    static func use(_ ticket: TicketUse, _ db: Database, now: Int64) throws {
        if ticket.expires <= now { throw TrefoilError.ticketUsed }
        try db.execute(
            sql: "INSERT INTO used_ticket (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
            arguments: [ticket.id, ticket.expires])
        if db.changesCount == 0 { throw TrefoilError.ticketUsed }
    }
}
