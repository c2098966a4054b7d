import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The disk work of a pending upload. Every method here runs holding the upload's turn (`withTurn`) and does its
/// waiting on `DispatchQueue.blockingCalls`, never on the cooperative pool.
///
/// Digests are computed while the pieces arrive as long as they arrive in order (each piece is hashed from memory on
/// two threads, behind its write and its answer: `RunningDigests.updateBehind`), so an upload sent front to back is
/// finished without reading its file back;
/// pieces out of order are only written, and `finish` hashes the rest of the file from disk. A piece re-sent below
/// the hashed prefix may differ from the first sending, so it restarts the digests from nothing (a re-send is rare;
/// reading the file back at `finish` is always right).
extension PendingUpload {
    /// Creates the temp file of a new upload, sized for `.bytes` layouts (sparse: nothing is written yet), and
    /// opens it a second time for direct writes (-1 where the file system takes none; see `PieceWrites`).
    static func createFile(_ path: String, layout: PendingLayout) async throws(TrefoilError) -> (
        fd: Int32, directFD: Int32
    ) {
        try await DispatchQueue.blockingCalls.perform { () throws(TrefoilError) -> (fd: Int32, directFD: Int32) in
            let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .storageWriteFailed("cannot create a temp file: \(errnoText())") }
            if case .bytes(let total) = layout, ftruncate(fd, off_t(total)) != 0 {
                let reason = errnoText()
                closeDescriptor(fd)
                unlink(path)
                throw .storageWriteFailed("cannot size the temp file: \(reason)")
            }
            return (fd, PieceWrites.openDirect(path))
        }
    }

    /// Writes `bytes` at `offset` of a `.bytes` upload.
    func write(_ bytes: Data, at offset: Int64, now: Int64) async throws(TrefoilError) {
        guard case .bytes(let total) = layout else {
            throw .internalError("a byte offset was given to an upload of numbered chunks")
        }
        let (end, overflow) = offset.addingReportingOverflow(Int64(bytes.count))
        guard offset >= 0, !overflow, end <= total else {
            throw .invalid(
                .piece, "bytes \(offset) to \(overflow ? "beyond" : String(end)) fall outside the file's \(total) bytes"
            )
        }
        let hashedBefore = state.withLock { $0.hashedUpTo }
        let written = await DispatchQueue.blockingCalls.perform { [self] () -> Result<Int64, TrefoilError> in
            var hashed = hashedBefore
            if offset < hashed {
                digests = RunningDigests(computeSHA3: computeSHA3)
                hashed = 0
            }
            // The piece is hashed behind this write: the answer goes out while the lanes finish it.
            if offset == hashed, end > hashed {
                digests.updateBehind(bytes)
                hashed = end
            }
            let failure = bytes.withUnsafeBytes { raw in
                PieceWrites.write(raw, at: offset, fd: self.fd, directFD: self.directFD)
            }
            if failure != 0 {
                // The digests may hold bytes the file does not: start them over, from the first byte.
                digests = RunningDigests(computeSHA3: computeSHA3)
                return .failure(.storageWriteFailed("writing the piece failed: \(errnoText(failure))"))
            }
            return .success(hashed)
        }
        let hashed: Int64
        switch written {
        case .success(let value): hashed = value
        case .failure(let error):
            state.withLock { $0.hashedUpTo = 0 }
            throw error
        }
        state.withLock { state in
            state.ranges.insert(offset..<end)
            state.hashedUpTo = hashed
            state.touched = now
        }
    }

    /// Appends chunk `index` of a `.chunks` upload; a chunk already received is left as it was.
    func writeChunk(_ bytes: Data, index: Int, now: Int64) async throws(TrefoilError) {
        try checkChunkIndex(index)
        let (at, inOrder, seen) = state.withLock { state in
            (state.appendAt, state.chunksInOrder && index == state.chunks.count, state.chunks[index] != nil)
        }
        if seen {
            state.withLock { $0.touched = now }
            return
        }
        let end = at + Int64(bytes.count)
        try await DispatchQueue.blockingCalls.perform { [self] () throws(TrefoilError) in
            if inOrder { digests.updateBehind(bytes) }
            let failure = bytes.withUnsafeBytes { raw in
                PieceWrites.write(raw, at: at, fd: self.fd, directFD: self.directFD)
            }
            if failure != 0 {
                digests = RunningDigests(computeSHA3: computeSHA3)
                state.withLock { $0.chunksInOrder = false }
                throw .storageWriteFailed("writing the chunk failed: \(errnoText(failure))")
            }
        }
        state.withLock { state in
            state.chunks[index] = at..<end
            state.appendAt = end
            state.chunksInOrder = inOrder
            state.ranges.insert(at..<end)
            if inOrder { state.hashedUpTo = end }
            state.touched = now
        }
    }

    /// What a client finishing now is missing, or nil when the upload is whole.
    func missing() -> String? {
        state.withLock { state -> String? in
            guard !Self.isComplete(state, layout) else { return nil }
            switch layout {
            case .bytes(let total):
                let gap = state.ranges.firstGap(below: total) ?? 0..<0
                return
                    "\(total - state.ranges.count) of \(total) bytes are missing, the first at offset \(gap.lowerBound)"
            case .chunks(let count, _):
                let first = (0..<count).first { state.chunks[$0] == nil } ?? 0
                return "\(count - state.chunks.count) of \(count) chunks are missing, the first is chunk \(first)"
            }
        }
    }

    /// Whether the chunks, all received, add up to the file size the client declared (nil when it declared none or
    /// they do); otherwise what is wrong.
    func sizeMismatch() -> String? {
        guard case .chunks(let count, let fileSize?) = layout else { return nil }
        let received = state.withLock { $0.ranges.count }
        guard received != fileSize else { return nil }
        return "the \(count) chunks add up to \(received) bytes, not the file_size of \(fileSize)"
    }

    /// Refuses a chunk index outside the upload's chunks, before anything is counted or written.
    func checkChunkIndex(_ index: Int) throws(TrefoilError) {
        guard case .chunks(let count, _) = layout else {
            throw .internalError("a chunk index was given to an upload of byte offsets")
        }
        guard index >= 0, index < count else { throw .invalid(.piece, "chunk index \(index) is not in 0..<\(count)") }
    }

    /// Makes the whole upload a durable temp file with its digests: hashes what was not hashed on arrival, puts
    /// chunks that came out of order into order, and fsyncs. The caller has checked `missing()` and, on success, owns
    /// the returned file, which is this upload's own file or, for chunks copied into order, a new one (the caller
    /// then ends the upload, which removes its own file unless it was returned).
    func finishedBytes(tmpPath: String) async throws(TrefoilError) -> TempBlob {
        let (hashedUpTo, chunks, inOrder) = state.withLock { ($0.hashedUpTo, $0.chunks, $0.chunksInOrder) }
        return try await DispatchQueue.blockingCalls.perform { [self] () throws(TrefoilError) -> TempBlob in
            switch layout {
            case .bytes(let total):
                try hashFile(from: hashedUpTo, to: total)
                try sync(fd)
                return TempBlob(path: path, size: total, digests: digests.finalize())
            case .chunks(let count, _):
                let size = chunks.values.reduce(Int64(0)) { $0 + Int64($1.count) }
                if inOrder {
                    try sync(fd)
                    return TempBlob(path: path, size: size, digests: digests.finalize())
                }
                let ordered = "\(tmpPath)/\(UUID().uuidString.lowercased()).part"
                try copyInOrder((0..<count).map { chunks[$0]! }, to: ordered)
                return TempBlob(path: ordered, size: size, digests: digests.finalize())
            }
        }
    }

    /// Feeds bytes `[from, to)` of the temp file to the digests.
    private func hashFile(from start: Int64, to end: Int64) throws(TrefoilError) {
        try readPieces(of: start..<end) { piece throws(TrefoilError) in digests.update(piece) }
    }

    /// Reads `range` of the temp file in pieces of at most 1 MiB, handing each to `body` in order.
    private func readPieces(
        of range: Range<Int64>, _ body: (UnsafeRawBufferPointer) throws(TrefoilError) -> Void
    ) throws(TrefoilError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var position = range.lowerBound
        while position < range.upperBound {
            let piece = UnsafeMutableRawBufferPointer(
                rebasing: buffer[..<Int(min(Int64(buffer.count), range.upperBound - position))])
            let failure = readAll(fd, into: piece, at: position)
            guard failure == 0 else {
                throw .storageWriteFailed("reading the upload back failed: \(errnoText(failure))")
            }
            try body(UnsafeRawBufferPointer(piece))
            position += Int64(piece.count)
        }
    }

    /// Copies `ranges` of the temp file, in this order, into a new file at `destination`, hashing them afresh.
    private func copyInOrder(_ ranges: [Range<Int64>], to destination: String) throws(TrefoilError) {
        let out = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard out >= 0 else { throw .storageWriteFailed("cannot create a temp file: \(errnoText())") }
        digests = RunningDigests(computeSHA3: computeSHA3)
        var written: Int64 = 0
        do throws(TrefoilError) {
            for range in ranges {
                try readPieces(of: range) { piece throws(TrefoilError) in
                    var failure: Int32 = 0
                    digests.update(piece) { failure = writeAll(out, piece, at: written) }
                    if failure != 0 { throw .storageWriteFailed("copying a chunk failed: \(errnoText(failure))") }
                    written += Int64(piece.count)
                }
            }
            try sync(out)
        } catch {
            closeDescriptor(out)
            unlink(destination)
            throw error
        }
        closeDescriptor(out)
    }

    private func sync(_ descriptor: Int32) throws(TrefoilError) {
        guard fsync(descriptor) == 0 else { throw .storageWriteFailed("fsync of the upload failed: \(errnoText())") }
    }
}
