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
        if consume() { blobs.removeTemp(temp.path) }
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
    /// Throws a `TrefoilError` (`.invalid` for the name, owner id or options, `.folderNotFound`, `.fileTooLarge`,
    /// `.quotaExceeded`, `.fileCountLimit`, `.storageWriteFailed`, `.databaseError`) or whatever the
    /// byte source throws. On any error nothing is stored.
    public func upload<Bytes: AsyncSequence>(
        _ bytes: Bytes,
        name rawName: String,
        to owner: Owner,
        folder: FolderID = .root,
        by member: Member,
        options: FileOptions = FileOptions()
    ) async throws -> StoredFile where Bytes.Element: Collection, Bytes.Element.Element == UInt8 {
        let name = try Names.fileName(rawName)
        try options.check()
        try await precheck(owner: owner, folder: folder)
        let staged = try await stage(bytes)
        return try await commit(staged, name: name, to: owner, folder: folder, by: member, options: options)
    }

    /// Receives and hashes bytes into `tmp/` without adding anything to the tree.
    ///
    /// Throws `.fileTooLarge` past `limits.max_file_bytes` (reading stops there), `.storageWriteFailed`,
    /// or whatever the byte source throws.
    public func stage<Bytes: AsyncSequence>(_ bytes: Bytes) async throws -> StagedUpload
    where Bytes.Element: Collection, Bytes.Element.Element == UInt8 {
        let temp = try await blobs.ingest(bytes, maxBytes: settings.maxFileBytes, computeSHA3: settings.computeSHA3)
        // A simulated crash leaves its files exactly where a real one would: no clean-up.
        try faults.check(.afterTempWrite)
        return StagedUpload(temp: temp, blobs: blobs)
    }

    /// Adds staged bytes to the tree as a new file (see `upload`).
    public func commit(
        _ staged: StagedUpload,
        name rawName: String,
        to owner: Owner,
        folder: FolderID = .root,
        by member: Member,
        options: FileOptions = FileOptions()
    ) async throws -> StoredFile {
        guard staged.consume() else { throw TrefoilError.internalError("a staged upload was committed twice") }
        let temp = staged.temp
        let name: String
        do {
            name = try Names.fileName(rawName)
            try options.check()
            try Self.checkFolderKind(owner, folder)
        } catch {
            blobs.removeTemp(temp.path)
            throw error
        }
        try await blobs.place(temp)
        let sha = temp.digests.sha256
        let stored: StoredFile
        do {
            try faults.check(.afterRename)
            stored = try await insert(temp, name: name, owner: owner, folder: folder, member: member, options: options)
        } catch let crash as SimulatedCrash {
            throw crash
        } catch {
            blobs.unpin(sha)
            await collectQuietly([sha])
            throw error
        }
        blobs.unpin(sha)
        logger.debug(
            "upload stored",
            metadata: ["owner": "\(owner)", "file": "\(stored.id)", "size": "\(stored.size)", "sha256": "\(sha)"])
        events.publish(.fileStored(stored, origin: EventOrigin.current))
        return stored
    }

    /// Drops staged bytes that will not be committed.
    public func discard(_ staged: StagedUpload) {
        if staged.consume() { blobs.removeTemp(staged.temp.path) }
    }

    /// Refuses early what the commit would refuse anyway, before any byte is read.
    public func precheck(owner: Owner, folder: FolderID) async throws {
        try Self.checkFolderKind(owner, folder)
        let limit = settings[owner.kind].fileLimit
        try await read { db in
            guard let space = try Self.space(db, owner) else {
                if !folder.isRoot { throw TrefoilError.folderNotFound }
                try Self.checkOwnerID(owner.id)
                return
            }
            guard try Self.folder(db, space: space.id!, folder) != nil else { throw TrefoilError.folderNotFound }
            if space.fileCount >= limit { throw TrefoilError.fileCountLimit }
        }
    }

    /// Only group spaces have folders besides the root.
    private static func checkFolderKind(_ owner: Owner, _ folder: FolderID) throws(TrefoilError) {
        if owner.kind != .group, !folder.isRoot { throw .folderNotFound }
    }

    private func insert(
        _ temp: TempBlob,
        name: String,
        owner: Owner,
        folder: FolderID,
        member: Member,
        options: FileOptions
    ) async throws -> StoredFile {
        let now = clock()
        let deadTime = deadTime(for: owner, now: now)
        let limits = settings[owner.kind]
        let faults = self.faults
        return try await write { db in
            let space = try Self.ensureSpace(db, owner, now: now, by: member)
            guard try Self.folder(db, space: space.id!, folder) != nil else { throw TrefoilError.folderNotFound }
            if space.fileCount + 1 > limits.fileLimit { throw TrefoilError.fileCountLimit }
            if space.usedSpace + temp.size > limits.totalSpace { throw TrefoilError.quotaExceeded }
            try Self.recordBlob(db, temp, now: now)
            let digests = temp.digests
            let row = FileRow(
                id: FileID.make().rawValue, spaceId: space.id!, folderId: folder.rawValue, name: name,
                sha256: digests.sha256, size: temp.size, deadTime: deadTime, uploadTime: now, modifyTime: now,
                downloadTimes: 0, uploader: member.id, uploaderName: member.name,
                secretRequired: options.secretRequired, previewWidth: options.previewBox?.width,
                previewHeight: options.previewBox?.height)
            try row.insert(db)
            guard let detail = try Self.file(db, owner, FileID(row.id), now: now) else {
                throw TrefoilError.internalError("a file row vanished inside its own transaction")
            }
            try faults.check(.beforeCommit)
            return detail.stored
        }
    }
}
