import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the pieces of a pending upload say where they go.
public enum PendingLayout: Sendable, Equatable {
    /// Byte offsets into a file of `total` bytes (a fragment's offset, a chunk's). The temp file is sized at
    /// the start and each piece is written at its offset.
    case bytes(total: Int64)
    /// Numbered chunks of sizes known only as they come, `count` of them, with the file's size when the client gave
    /// it. Chunks are appended to the temp file as they come; when they came in order the file is already whole,
    /// otherwise `finish` copies them into order once.
    case chunks(count: Int, fileSize: Int64?)
}

/// What a client said the finished bytes hash to; checked at `finish`. Lowercase or uppercase hex.
public struct ExpectedDigests: Sendable, Equatable {
    public var sha256: String?
    public var md5: String?

    public init(sha256: String? = nil, md5: String? = nil) {
        self.sha256 = sha256
        self.md5 = md5
    }

    /// Throws `.digestMismatch`, naming both digests, when `digests` differ from one given here.
    public func check(_ digests: Digests) throws(TrefoilError) {
        if let sha256 = sha256?.lowercased(), sha256 != digests.sha256 {
            throw .digestMismatch("sha256 mismatch: expected \(sha256), got \(digests.sha256)")
        }
        if let md5 = md5?.lowercased(), md5 != digests.md5 {
            throw .digestMismatch("md5 mismatch: expected \(md5), got \(digests.md5)")
        }
    }

    /// Whether `text` is `length` ASCII hex digits, either case (`Character.isHexDigit` also takes fullwidth ones).
    public static func isHex(_ text: String, length: Int) -> Bool {
        text.utf8.count == length
            && text.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0)
            }
    }
}

/// Where a pending upload is, as its client sees it.
public struct PendingStatus: Sendable, Equatable {
    public var id: String
    public var name: String
    public var layout: PendingLayout
    /// Distinct bytes received (a re-sent piece is counted once).
    public var receivedBytes: Int64
    /// Distinct chunks received (`.chunks` layouts; 0 otherwise).
    public var receivedChunks: Int
    /// Whether every byte or chunk is there.
    public var isComplete: Bool
}

/// One upload arriving in pieces, in a temp file of `tmp/` (so a restart removes it: pending uploads do not survive
/// one). Every operation holds `turn`, so pieces of one upload are written one at a time while other uploads go on.
final class PendingUpload: Sendable {
    let id: String
    let client: String
    let name: String
    let layout: PendingLayout
    let expected: ExpectedDigests
    /// The staged file's life, when the client chose it at the start.
    let ttlSeconds: Int64?
    let path: String
    let fd: Int32
    /// The same file opened for direct writes, or -1 (`PieceWrites`).
    let directFD: Int32

    /// Mutable state, guarded by `turn` (an async lock) and read under `state`'s own lock for quick status reads.
    struct State: Sendable {
        var ranges = ByteRanges()
        /// `.chunks`: where each received chunk sits in the temp file.
        var chunks: [Int: Range<Int64>] = [:]
        /// `.chunks`: the end of the temp file, where the next new chunk goes.
        var appendAt: Int64 = 0
        /// `.chunks`: bytes claimed against the pending-bytes bound (claimed before each chunk is written).
        var claimed: Int64 = 0
        /// Whether every chunk so far came with the next index, so the temp file is already in order.
        var chunksInOrder = true
        /// Bytes `[0, hashedUpTo)` are in `digests`.
        var hashedUpTo: Int64 = 0
        /// When a piece last arrived, by the store's clock.
        var touched: Int64
        var closed = false
    }

    let state: Mutex<State>
    /// The digests of the prefix fed in order; touched only while holding `turn`, on a blocking-call thread.
    nonisolated(unsafe) var digests: RunningDigests
    let computeSHA3: Bool
    let turn = AsyncWindow(permits: 1)

    init(
        id: String, client: String, name: String, layout: PendingLayout, expected: ExpectedDigests, ttlSeconds: Int64?,
        path: String, fd: Int32, directFD: Int32, computeSHA3: Bool, now: Int64
    ) {
        self.ttlSeconds = ttlSeconds
        self.id = id
        self.client = client
        self.name = name
        self.layout = layout
        self.expected = expected
        self.path = path
        self.fd = fd
        self.directFD = directFD
        self.computeSHA3 = computeSHA3
        digests = RunningDigests(computeSHA3: computeSHA3)
        state = Mutex(State(touched: now))
    }

    /// The bytes this upload may take on disk, counted against `PendingUploads.Limits.maxBytes`.
    var reservedBytes: Int64 {
        switch layout {
        case .bytes(let total): total
        case .chunks(_, let fileSize): max(fileSize ?? 0, state.withLock { $0.claimed })
        }
    }

    var status: PendingStatus {
        state.withLock { state in
            PendingStatus(
                id: id, name: name, layout: layout, receivedBytes: state.ranges.count,
                receivedChunks: state.chunks.count, isComplete: Self.isComplete(state, layout))
        }
    }

    static func isComplete(_ state: State, _ layout: PendingLayout) -> Bool {
        switch layout {
        case .bytes(let total): state.ranges.covers(upTo: total)
        case .chunks(let count, _): state.chunks.count == count
        }
    }

    /// Runs `body` holding this upload's turn; `.uploadNotFound` once the upload was finished or cancelled.
    func withTurn<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await turn.acquire()
        defer { turn.release() }
        guard !state.withLock({ $0.closed }) else { throw TrefoilError.uploadNotFound }
        return try await body()
    }

    /// Closes the descriptor and removes the temp file (unless `keepingFile`: it became a blob). Idempotent; call it
    /// holding the turn, so that no write is using the descriptor (its number could be reused by another file).
    func end(keepingFile: Bool = false) {
        let wasOpen = state.withLock { state -> Bool in
            defer { state.closed = true }
            return !state.closed
        }
        guard wasOpen else { return }
        closeDescriptor(fd)
        if directFD >= 0 { closeDescriptor(directFD) }
        if !keepingFile { unlink(path) }
    }
}

/// `close(2)`, named apart from the methods called `close` and `end` around it.
func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
