extension FileTree {
    /// Adds `file`'s bytes to `owner`'s space as a new file without copying them: the new file's row references the
    /// same blob, so no byte is read or written and the blob lives until neither file references it.
    ///
    /// The new file is an ordinary file of the target space: its own id, `name` (the source's name when nil, under
    /// the file-name rules), uploader `member`, `options`, and the retention of the target's kind; it counts toward
    /// the target space's quota and file count, checked in the same transaction that adds it. A `.fileStored` event
    /// follows the commit, with the caller's `EventOrigin.current`. Deleting either file later leaves the other as
    /// it is.
    ///
    /// Throws `.fileNotFound` when the source is no longer live (deleted or expired) at the moment of the link, and
    /// otherwise what an upload's commit throws (`.invalid`, `.folderNotFound`, `.quotaExceeded`,
    /// `.fileCountLimit`, `.databaseError`). On any error nothing is stored.
    public func link(
        _ file: StoredFile,
        to owner: Owner,
        folder: FolderID = .root,
        name rawName: String? = nil,
        by member: Member,
        options: FileOptions = FileOptions()
    ) async throws -> StoredFile {
        let name = try Names.fileName(rawName ?? file.name)
        try options.check()
        try Self.checkFolderKind(owner, folder)
        let now = clock()
        let deadTime = deadTime(for: owner, now: now)
        let limits = settings[owner.kind]
        let stored = try await write { db in
            // The source's row, not the caller's copy: it proves the blob is still referenced (so the collector
            // cannot take it before this commit) and gives the size and hash the blob really has.
            guard let source = try Self.file(db, file.owner, file.id, now: now)?.file else {
                throw TrefoilError.fileNotFound
            }
            let new = NewFile(
                owner: owner, folder: folder, name: name, sha256: source.sha256, size: source.size, member: member,
                options: options, now: now, deadTime: deadTime)
            return try Self.addFile(db, new, limits: limits, replacing: false).stored
        }
        logger.debug(
            "file linked",
            metadata: ["source": "\(file.id)", "owner": "\(owner)", "file": "\(stored.id)", "size": "\(stored.size)"])
        events.publish(.fileStored(stored, origin: EventOrigin.current))
        return stored
    }
}
