import Foundation
import Synchronization

/// Uploads arriving in pieces (fragments at byte offsets, or numbered chunks), until they are finished into
/// staged files or given up.
///
/// A pending upload is a temp file in `tmp/` and an entry in memory: nothing of it is visible in the tree, and a
/// restart (or a crash) forgets it and removes its file, so only finished uploads survive one. Faces name uploads
/// with ids of their own (prefixed by family, so that two families never share one); `client` is whoever began it
/// (a connection), for the per-client bound. Uploads idle longer than `Limits.idleSeconds` are collected by `sweep`,
/// which runs at each `begin` and from the janitor.
public final class PendingUploads: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Pending uploads one client may hold at once.
        public var maxPerClient: Int
        /// Pending uploads all clients together may hold.
        public var maxTotal: Int
        /// Bytes all pending uploads together may take on disk (a `.bytes` upload reserves its whole size at
        /// `begin`; a `.chunks` one its `fileSize`, or what it has received).
        public var maxBytes: Int64
        /// An upload that received nothing for this long is given up.
        public var idleSeconds: Int64

        public init(maxPerClient: Int = 16, maxTotal: Int = 256, maxBytes: Int64 = 16 << 30, idleSeconds: Int64 = 600) {
            self.maxPerClient = maxPerClient
            self.maxTotal = maxTotal
            self.maxBytes = maxBytes
            self.idleSeconds = idleSeconds
        }
    }

    public let limits: Limits
    let tree: FileTree
    private let uploads = Mutex<[String: PendingUpload]>([:])

    public init(tree: FileTree, limits: Limits) {
        self.tree = tree
        self.limits = limits
    }

    /// Begins an upload named `id`. Throws `.invalid` (`.fileName`, `.piece` for a layout with no chunks, `.digest`
    /// for expected digests that are not hex of the right length), `.fileTooLarge` past `limits.max_file_bytes`,
    /// `.tooManyPendingUploads` at any bound, `.storageWriteFailed`, or `.internalError` when `id` is in use (callers
    /// pick fresh ids, or pass `reusing` to be given the upload already pending under `id` when its layout is the
    /// same; another layout is `.invalid(.piece, …)`). `ttlSeconds` is the staged file's life, kept for `finish`.
    public func begin(
        _ id: String, client: String, name rawName: String, layout: PendingLayout,
        expected: ExpectedDigests = ExpectedDigests(), ttlSeconds: Int64? = nil, reusing: Bool = false
    ) async throws -> PendingStatus {
        await sweep()
        if reusing, let existing = uploads.withLock({ $0[id] }) {
            guard existing.layout == layout else {
                throw TrefoilError.invalid(.piece, "the pending upload \(id) has another size or chunk count")
            }
            existing.state.withLock { $0.touched = tree.now }
            return existing.status
        }
        let name = try Names.fileName(rawName)
        try Self.check(expected)
        switch layout {
        case .bytes(let total):
            guard total >= 0 else { throw TrefoilError.invalid(.piece, "a file cannot have \(total) bytes") }
            if total > tree.settings.maxFileBytes { throw TrefoilError.fileTooLarge }
        case .chunks(let count, let fileSize):
            guard count > 0 else { throw TrefoilError.invalid(.piece, "an upload needs at least one chunk") }
            if let fileSize, fileSize < 0 { throw TrefoilError.invalid(.piece, "a file cannot have \(fileSize) bytes") }
            if let fileSize, fileSize > tree.settings.maxFileBytes { throw TrefoilError.fileTooLarge }
        }
        let path = "\(tree.directory.tmpPath)/\(UUID().uuidString.lowercased()).pending"
        let file = try await PendingUpload.createFile(path, layout: layout)
        let upload = PendingUpload(
            id: id, client: client, name: name, layout: layout, expected: expected, ttlSeconds: ttlSeconds, path: path,
            fd: file.fd, directFD: file.directFD, computeSHA3: tree.settings.computeSHA3, now: tree.now)
        enum Outcome {
            case registered
            /// Two first pieces raced: the other one's upload is the one.
            case existing(PendingUpload)
            case refused(TrefoilError)
        }
        let outcome = uploads.withLock { uploads -> Outcome in
            if let existing = uploads[id] {
                return reusing && existing.layout == layout
                    ? .existing(existing) : .refused(.internalError("a pending upload with id \(id) exists"))
            }
            if uploads.count >= limits.maxTotal {
                return .refused(
                    .tooManyPendingUploads("\(uploads.count) uploads are pending, the most the gateway holds"))
            }
            let mine = uploads.values.filter { $0.client == client }.count
            if mine >= limits.maxPerClient {
                return .refused(
                    .tooManyPendingUploads("this connection has \(mine) pending uploads, the most one may hold"))
            }
            let reserved = uploads.values.reduce(Int64(0)) { $0 + $1.reservedBytes }
            if reserved + upload.reservedBytes > limits.maxBytes {
                return .refused(
                    .tooManyPendingUploads(
                        "pending uploads hold \(reserved) bytes; \(upload.reservedBytes) more would pass the bound of "
                            + "\(limits.maxBytes)"))
            }
            uploads[id] = upload
            return .registered
        }
        switch outcome {
        case .registered:
            return upload.status
        case .existing(let winner):
            upload.end()
            winner.state.withLock { $0.touched = tree.now }
            return winner.status
        case .refused(let refusal):
            upload.end()
            throw refusal
        }
    }

    /// Where an upload is; `.uploadNotFound` when there is none by that id.
    public func status(_ id: String) throws -> PendingStatus {
        try upload(id).status
    }

    /// Writes `bytes` at `offset` of a `.bytes` upload (any order; a re-sent piece is written again). Throws
    /// `.uploadNotFound`, `.invalid(.piece, …)` for bytes outside the file, `.storageWriteFailed`.
    @discardableResult
    public func write(_ id: String, at offset: Int64, _ bytes: Data) async throws -> PendingStatus {
        let upload = try upload(id)
        return try await upload.withTurn {
            try await upload.write(bytes, at: offset, now: tree.now)
            return upload.status
        }
    }

    /// Adds chunk `index` of a `.chunks` upload (any order; a chunk received before is ignored). Throws
    /// `.uploadNotFound`, `.invalid(.piece, …)` for an index out of range or chunks adding up to more than the file's
    /// size, `.fileTooLarge`, `.tooManyPendingUploads` past the bytes bound, `.storageWriteFailed`.
    @discardableResult
    public func writeChunk(_ id: String, index: Int, _ bytes: Data) async throws -> PendingStatus {
        let upload = try upload(id)
        return try await upload.withTurn {
            guard case .chunks(_, let fileSize) = upload.layout else {
                throw TrefoilError.internalError("a chunk index was given to an upload of byte offsets")
            }
            try upload.checkChunkIndex(index)
            if upload.state.withLock({ $0.chunks[index] != nil }) { return upload.status }
            try claim(Int64(bytes.count), for: upload, fileSize: fileSize)
            do {
                try await upload.writeChunk(bytes, index: index, now: tree.now)
            } catch {
                // Nothing of the chunk counts: the file's end did not move.
                upload.state.withLock { $0.claimed -= Int64(bytes.count) }
                throw error
            }
            return upload.status
        }
    }

    /// Counts a new chunk's bytes against the file's size, the per-file limit and the bytes bound, before it is
    /// written.
    private func claim(_ count: Int64, for upload: PendingUpload, fileSize: Int64?) throws {
        let maxFileBytes = tree.settings.maxFileBytes
        try uploads.withLock { uploads throws(TrefoilError) in
            let claimed = upload.state.withLock { $0.claimed } + count
            if let fileSize, claimed > fileSize {
                throw .invalid(.piece, "the chunks add up to more than the file's \(fileSize) bytes")
            }
            if claimed > maxFileBytes { throw .fileTooLarge }
            let others = uploads.values.reduce(Int64(0)) { $0 + ($1 === upload ? 0 : $1.reservedBytes) }
            if others + max(fileSize ?? 0, claimed) > limits.maxBytes {
                throw .tooManyPendingUploads(
                    "pending uploads hold \(others) bytes; this chunk would pass the bound of \(limits.maxBytes)")
            }
            upload.state.withLock { $0.claimed = claimed }
        }
    }

    /// Finishes an upload into a staged file of the staging space `space`, expiring after the TTL given at `begin`, or
    /// `ttlSeconds` from now when `begin` gave none.
    ///
    /// Every digest given here or at `begin` is checked: a mismatch throws `.digestMismatch` and discards the upload
    /// (nothing is stored). An upload with bytes or chunks missing throws `.uploadIncomplete` and stays pending. Any
    /// other failure (`.storageWriteFailed`, the commit's quota or database errors) discards it too.
    public func finish(
        _ id: String, expected: ExpectedDigests = ExpectedDigests(), into space: String, ttlSeconds: Int64,
        by member: Member
    ) async throws -> StoredFile {
        try Self.check(expected)
        let upload = try upload(id)
        return try await upload.withTurn {
            if let missing = upload.missing() { throw TrefoilError.uploadIncomplete(missing) }
            remove(upload)
            if let mismatch = upload.sizeMismatch() {
                upload.end()
                throw TrefoilError.invalid(.piece, mismatch)
            }
            let temp: TempBlob
            do {
                temp = try await upload.finishedBytes(tmpPath: tree.directory.tmpPath)
            } catch {
                upload.end()
                throw error
            }
            do {
                try upload.expected.check(temp.digests)
                try expected.check(temp.digests)
            } catch {
                upload.end()
                if temp.path != upload.path { tree.blobs.discard(temp) }
                throw error
            }
            // The temp file is the blob-to-be now; when the chunks were copied, the copy is.
            upload.end(keepingFile: temp.path == upload.path)
            return try await tree.commitStaged(
                StagedUpload(temp: temp, blobs: tree.blobs), name: upload.name, into: space,
                ttlSeconds: upload.ttlSeconds ?? ttlSeconds, by: member)
        }
    }

    /// Gives up an upload; false when there was none by that id.
    @discardableResult
    public func cancel(_ id: String) async -> Bool {
        guard let upload = uploads.withLock({ $0.removeValue(forKey: id) }) else { return false }
        await end(upload)
        return true
    }

    /// Gives up every upload whose id `matches`; returns how many.
    @discardableResult
    public func cancelAll(where matches: (String) -> Bool) async -> Int {
        let gone = uploads.withLock { uploads -> [PendingUpload] in
            let ids = uploads.keys.filter(matches)
            return ids.compactMap { uploads.removeValue(forKey: $0) }
        }
        for upload in gone { await end(upload) }
        return gone.count
    }

    /// Gives up every upload idle for longer than `limits.idleSeconds`; returns how many.
    @discardableResult
    public func sweep() async -> Int {
        let cutoff = tree.now - limits.idleSeconds
        let idle = uploads.withLock { uploads -> [PendingUpload] in
            let ids = uploads.filter { $0.value.state.withLock { $0.touched } < cutoff }.map(\.key)
            return ids.compactMap { uploads.removeValue(forKey: $0) }
        }
        for upload in idle { await end(upload) }
        if !idle.isEmpty { tree.logger.info("abandoned pending uploads removed", metadata: ["count": "\(idle.count)"]) }
        return idle.count
    }

    /// How many uploads are pending and the bytes they reserve.
    public var held: (uploads: Int, bytes: Int64) {
        uploads.withLock { uploads in (uploads.count, uploads.values.reduce(Int64(0)) { $0 + $1.reservedBytes }) }
    }

    private func upload(_ id: String) throws -> PendingUpload {
        guard let upload = uploads.withLock({ $0[id] }) else { throw TrefoilError.uploadNotFound }
        return upload
    }

    private func remove(_ upload: PendingUpload) {
        uploads.withLock { uploads in
            if uploads[upload.id] === upload { uploads[upload.id] = nil }
        }
    }

    /// Closes an upload once no write is using its descriptor.
    private func end(_ upload: PendingUpload) async {
        await upload.turn.acquire()
        upload.end()
        upload.turn.release()
    }

    /// Refuses expected digests that cannot be hex of their kind.
    static func check(_ expected: ExpectedDigests) throws(TrefoilError) {
        for (digest, length, kind) in [(expected.sha256, 64, "sha256"), (expected.md5, 32, "md5")] {
            guard let digest else { continue }
            guard ExpectedDigests.isHex(digest, length: length) else {
                throw .invalid(.digest, "\(kind) must be \(length) hex digits")
            }
        }
    }
}
