/// A file as the tree stores it.
public struct StoredFile: Sendable, Equatable {
    public var id: FileID
    public var owner: Owner
    /// The folder holding the file; `.root` for private files.
    public var folderID: FolderID
    public var name: String
    public var size: Int64
    public var lifetime: FileLifetime
    /// Unix seconds.
    public var uploadTime: Int64
    /// Unix seconds; 0 for a permanent file.
    public var deadTime: Int64
    public var modifyTime: Int64
    public var downloadTimes: Int64
    /// The uploader's id, in the owner's terms (a user id for a group space).
    public var uploader: String
    public var uploaderName: String
    public var digests: Digests
    /// What the uploader asked of the file besides its bytes (an access secret, a preview box).
    public var options = FileOptions()
    /// Whether the bytes are kept in the database (a small file, `FileTree.Settings.inlineBlobBytes`) rather than by
    /// the blob backend: such a file has no blob file to read in place (`FileTree.blobPath(of:)` is nil); read it
    /// with `FileTree.bytes(of:in:)`, or `FileTree.localCopy(of:)` for a path.
    public var bytesInDatabase = false
}

/// Lowercase hex digests of a file's bytes.
public struct Digests: Sendable, Equatable {
    public var sha256: String
    public var md5: String
    public var sha1: String
    /// Empty when SHA3-256 was not computed (`upload.compute_sha3` off when the bytes arrived).
    public var sha3: String

    public init(sha256: String, md5: String, sha1: String, sha3: String) {
        self.sha256 = sha256
        self.md5 = md5
        self.sha1 = sha1
        self.sha3 = sha3
    }
}

/// A folder in a space's tree (only group spaces have folders besides the root).
public struct Folder: Sendable, Equatable {
    public var id: FolderID
    public var owner: Owner
    /// `nil` only for the root.
    public var parentID: FolderID?
    public var name: String
    /// 0 for the root, 1 for a folder directly under it.
    public var depth: Int
    public var createTime: Int64
    public var modifyTime: Int64
    public var creator: String
    public var creatorName: String
    /// Files directly inside this folder.
    public var fileCount: Int64
}

/// One page of a folder: sub-folders first (by name), then files (newest first).
public struct FolderListing: Sendable, Equatable {
    public var folders: [Folder]
    public var files: [StoredFile]
}

/// What a listing was read against (`FileTree.stampedList`), for `FileTree.isCurrent`.
public struct ListingStamp: Sendable, Equatable {
    /// The store's write generation before the read: every write transaction that ends moves it on.
    let generation: UInt64
    /// The first moment (Unix seconds) at which one of the folder's files expires; `.max` when none will.
    let validUntil: Int64
}

/// A space's usage and the limits of its kind.
public struct FileSystemInfo: Sendable, Equatable {
    public var fileCount: Int64
    public var limitCount: Int64
    public var usedSpace: Int64
    public var totalSpace: Int64
}

/// Who performs a write, for `uploader` and `creator` fields.
public struct Member: Sendable, Equatable {
    public var id: String
    public var name: String

    public init(id: String, name: String = "") {
        self.id = id
        self.name = name
    }
}
