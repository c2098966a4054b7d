extension FileTree {
    /// Adds staged bytes to the staging space `space` as a staged file: a file that belongs to no group, for a client
    /// to use by id (linking it into a group or a user's files copies no byte), expiring `ttlSeconds` from now
    /// (at least one second). Throws what `commit` throws; the bytes are discarded on any error.
    public func commitStaged(
        _ staged: StagedUpload, name: String, into space: String, ttlSeconds: Int64, by member: Member
    ) async throws -> StoredFile {
        try await commit(
            staged, name: name, to: Owner(.staging, space), by: member,
            expiresAt: UnixTime.adding(max(1, ttlSeconds), to: clock()))
    }
}
