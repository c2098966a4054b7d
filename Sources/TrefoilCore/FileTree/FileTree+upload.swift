import GRDB
import Synchronization

/// Bytes received and hashed but not yet part of the tree: the first half of an upload.
///
/// Staging lets a transport receive the bytes before it knows where they go (a multipart form may
/// send `group_id` after the file). Commit or discard it exactly once.
public final class StagedUpload: Sendable {
    let temp: TempBlob
    private let blobs: BlobStore
    private let consumed = Mutex(false)

    init(temp: TempBlob, blobs: BlobStore) {
        self.temp = temp
        self.blobs = blobs
    }

    public var size: Int64 { temp.size }
    public var digests: Digests { temp.digests }

    /// Marks the staged bytes used; false when they already were.
    func consume() -> Bool {
        consumed.withLock { used in
            defer { used = true }
            return !used
        }
    }

    deinit {
        // A staged upload dropped without commit or discard must not leave its temp file behind.
        if consume() { blobs.discard(temp) }
    }
}

extension FileTree {
    /// Stores a new file from a stream of bytes and returns it once it is durable.
    ///
    /// The bytes are hashed while they stream to `tmp/`, moved to their content address, and the
    /// file exists from the moment its row commits; the space's quota and file count (its kind's limits)
    /// are checked in that same transaction, so concurrent uploads can never overshoot them. A
    /// `.fileStored` event follows the commit, with the caller's `EventOrigin.current`. Only group
    /// spaces have folders: files of every other kind go to the root. `options` are kept with the file and returned
    /// by every read of it.
    ///
    /// With `replacing`, the new file becomes the only one of its space (an avatar): every other live file of the
    /// space, in any folder, is deleted in the same transaction, before the limits are checked, so that a space of
    /// one file can take its next one. A `.fileDeleted` event for each follows the commit, before the `.fileStored`
    /// one; their blobs are collected when nothing else references them. A commit that fails deletes nothing.
    ///
    /// Throws a `TrefoilError` (`.invalid` for the name, owner id or options, `.folderNotFound`, `.fileTooLarge`,
    /// `.quotaExceeded`, `.fileCountLimit`, `.storageWriteFailed`, `.databaseError`) or whatever the
    /// byte source throws. On any error nothing is stored.
    ///
    /// `prechecked`: the caller has refused early what it had to (it ran `precheck` before fetching or reading its
    /// source, or its bytes are in memory already), so the target is not read here; the commit checks everything
    /// anyway. A second read was one more hop off the caller's thread for every small upload (issue 18).
    public func upload<Bytes: AsyncSequence>(
        _ bytes: Bytes,
        name rawName: String,
        to owner: Owner,
        folder: FolderID = .root,
        by member: Member,
        options: FileOptions = FileOptions(),
        replacing: Bool = false,
        prechecked: Bool = false
    ) async throws -> StoredFile where Bytes.Element: Collection, Bytes.Element.Element == UInt8 {
        let name = try Names.fileName(rawName)
        try options.check()
        if !prechecked { try await precheck(owner: owner, folder: folder, replacing: replacing) }
        let staged = try await stage(bytes)
        return try await commit(
            staged, name: name, to: owner, folder: folder, by: member, options: options, replacing: replacing)
    }

    /// Receives and hashes bytes into `tmp/` without adding anything to the tree.
    ///
    /// Throws `.fileTooLarge` past `limits.max_file_bytes` (reading stops there), `.storageWriteFailed`,
    /// or whatever the byte source throws.
    public func stage<Bytes: AsyncSequence>(_ bytes: Bytes) async throws -> StagedUpload
    where Bytes.Element: Collection, Bytes.Element.Element == UInt8 {
        let temp = try await blobs.ingest(
            bytes, maxBytes: settings.maxFileBytes, computeSHA3: settings.computeSHA3,
            inMemoryUpTo: settings.inlineBlobBytes)
        // A simulated crash leaves its files exactly where a real one would: no clean-up.
        try faults.check(.afterTempWrite)
        return StagedUpload(temp: temp, blobs: blobs)
    }

    /// Adds staged bytes to the tree as a new file (see `upload`, also for `replacing`).
    ///
    /// With a `ticket`, the ticket's id is recorded as used in the same transaction as the file's row, so a ticket
    /// is used exactly when a file commits with it: a commit with an id already used throws `.ticketUsed` and stores
    /// nothing. So does a commit after the ticket's `expires` (by the store's clock): the janitor may already have
    /// forgotten the id, so the store could no longer tell a second use from a first. A ticket id that is empty or
    /// holds a NUL is `.invalid(.ticketID, …)`. The staged bytes are discarded whenever the commit fails.
    ///
    /// `expiresAt` (Unix seconds) replaces the dead time of the owner kind's retention: a staged file lives for a TTL
    /// its client chose, shorter than a day.
    public func commit(
        _ staged: StagedUpload,
        name rawName: String,
        to owner: Owner,
        folder: FolderID = .root,
        by member: Member,
        id: FileID? = nil,
        options: FileOptions = FileOptions(),
        replacing: Bool = false,
        ticket: TicketUse? = nil,
        expiresAt: Int64? = nil
    ) async throws -> StoredFile {
        guard staged.consume() else { throw TrefoilError.internalError("a staged upload was committed twice") }
        if let id, !FileID.isFresh(id.rawValue) {
            blobs.discard(staged.temp)
            throw TrefoilError.internalError("a chosen file id must be \"/\" and a lowercase UUID, not \(id)")
        }
        let temp = staged.temp
        let name: String
        do {
            name = try Names.fileName(rawName)
            try options.check()
            try Self.checkFolderKind(owner, folder)
            try ticket?.check()
        } catch {
            blobs.discard(temp)
            throw error
        }
        let placement = try await blobs.place(temp, inDatabaseUpTo: settings.inlineBlobBytes)
        let sha = temp.digests.sha256
        let added: (stored: StoredFile, replaced: [StoredFile], orphans: [String])
        do {
            try faults.check(.afterRename)
            added = try await insert(
                temp, placement: placement, name: name, owner: owner, folder: folder, member: member, id: id,
                options: options, replacing: replacing, ticket: ticket, expiresAt: expiresAt)
        } catch let crash as SimulatedCrash {
            throw crash
        } catch {
            if placement.pinned { blobs.unpin(sha) }
            await collectQuietly([sha], ending: placement.journalID)
            throw error
        }
        if placement.pinned { blobs.unpin(sha) }
        let stored = added.stored
        logger.debug(
            "upload stored",
            metadata: [
                "owner": "\(owner)", "file": "\(stored.id)", "size": "\(stored.size)", "sha256": "\(sha)",
                "replaced": "\(added.replaced.count)",
            ])
        let origin = EventOrigin.current
        for file in added.replaced { events.publish(.fileDeleted(file, origin: origin)) }
        events.publish(.fileStored(stored, origin: origin))
        await collectQuietly(added.orphans)
        return stored
    }

    /// Drops staged bytes that will not be committed.
    public func discard(_ staged: StagedUpload) {
        if staged.consume() { blobs.discard(staged.temp) }
    }

    /// Refuses early what the commit would refuse anyway, before any byte is read. With `replacing` (see `upload`)
    /// a full space is no reason to refuse: its files are about to go.
    public func precheck(owner: Owner, folder: FolderID, replacing: Bool = false) async throws {
        try Self.checkFolderKind(owner, folder)
        let limit = settings[owner.kind].fileLimit
        try await read { db in
            guard let space = try Self.space(db, owner) else {
                if !folder.isRoot { throw TrefoilError.folderNotFound }
                try Self.checkOwnerID(owner.id)
                return
            }
            guard try Self.folder(db, space: space.id!, folder) != nil else { throw TrefoilError.folderNotFound }
            if !replacing, space.fileCount >= limit { throw TrefoilError.fileCountLimit }
        }
    }

    /// Only group spaces have folders besides the root.
    static func checkFolderKind(_ owner: Owner, _ folder: FolderID) throws(TrefoilError) {
        if owner.kind != .group, !folder.isRoot { throw .folderNotFound }
    }

    /// The file's row, the files it replaced and the blobs they left unreferenced, in one transaction.
    private func insert(
        _ temp: TempBlob,
        placement: Placement,
        name: String,
        owner: Owner,
        folder: FolderID,
        member: Member,
        id: FileID?,
        options: FileOptions,
        replacing: Bool,
        ticket: TicketUse?,
        expiresAt: Int64?
    ) async throws -> (stored: StoredFile, replaced: [StoredFile], orphans: [String]) {
        let now = clock()
        let new = NewFile(
            owner: owner, folder: folder, name: name, sha256: temp.digests.sha256, size: temp.size, member: member,
            options: options, now: now, deadTime: expiresAt ?? deadTime(for: owner, now: now), id: id)
        let limits = settings[owner.kind]
        let faults = self.faults
        return try await writeShared { db in
            if let ticket { try Self.use(ticket, db, now: now) }
            let blob = try Self.recordBlob(db, temp, now: now, placed: placement)
            let (stored, replaced) = try Self.addFile(db, new, limits: limits, replacing: replacing, blob: blob)
            try faults.check(.beforeCommit)
            return (stored, replaced, replaced.isEmpty ? [] : try Self.unreferencedBlobs(db))
        }
    }
}
