/// What the store knows of a file id, whoever owns it: for faces that answer "expired" differently from
/// "no such file".
public enum FileLookup: Sendable, Equatable {
    /// A live file.
    case live(StoredFile)
    /// A file whose dead time has passed: still in the tree until the janitor's next pass, or removed by it within
    /// `FileTree.tombstoneSeconds`.
    case expired(ExpiredFile)
    /// Never issued, deleted on purpose, or expired longer ago than the store remembers.
    case unknown
}

/// What the store keeps of a file that expired: enough to refuse a download of it as expired, in the terms the
/// file had (whether it asked for its access secret).
public struct ExpiredFile: Sendable, Equatable {
    public var id: FileID
    public var owner: Owner
    public var name: String
    /// When it expired (Unix seconds).
    public var deadTime: Int64
    public var secretRequired: Bool

    public init(id: FileID, owner: Owner, name: String, deadTime: Int64, secretRequired: Bool) {
        self.id = id
        self.owner = owner
        self.name = name
        self.deadTime = deadTime
        self.secretRequired = secretRequired
    }
}
