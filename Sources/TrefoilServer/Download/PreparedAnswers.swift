import NIOCore
import NIOHTTP1
import Synchronization
import TrefoilCore

/// The whole-file answers of files downloaded a moment ago, ready to write: their headers as one `HTTPHeaders` and, for
/// a file kept in the database, its bytes as one `ByteBuffer` every answer shares.
///
/// A small download from memory spent about a fifth of the server's time building the same answer again: the
/// `Content-Type` lookup, `ETag` and `Content-Disposition` strings, the header list, and a copy of the bytes into a
/// buffer per answer (issue 18). Only a plain `GET` or `HEAD` (no `Range`, no `If-None-Match`) is answered from here.
///
/// An answer is used only for the file it was made from: the caller passes the file as the store (or its cache) has it
/// now, and a different content, name or size makes it a miss, so a rename or a replaced file shows at once. Bounded by
/// count and by the bytes held; when either is reached it starts over empty.
final class PreparedAnswers: Sendable {
    struct Answer: Sendable {
        let sha256: String
        let name: String
        let size: Int64
        let headers: HTTPHeaders
        /// For bytes in memory, the whole answer as HTTP/1.1 puts it on the wire: `HTTP/1.1 200 OK`, the headers, the
        /// empty line, the body (which `body` shares, not copies).
        let wire: ByteBuffer?
        let body: DownloadPlanner.Plan.Body

        func serves(_ file: StoredFile) -> Bool {
            file.size == size && file.digests.sha256 == sha256 && file.name == name
        }
    }

    private struct State {
        var answers: [String: Answer] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())
    let capacity: Int
    let byteCapacity: Int

    init(capacity: Int = 4_096, byteCapacity: Int = 32 << 20) {
        self.capacity = capacity
        self.byteCapacity = byteCapacity
    }

    /// The prepared answer for `file`, if one was made from this same file.
    func answer(for file: StoredFile) -> Answer? {
        guard let answer = state.withLock({ $0.answers[file.id.rawValue] }), answer.serves(file) else { return nil }
        return answer
    }

    /// Keeps `plan`, a whole-file `200` for `file`, for the next plain request of it.
    func keep(_ plan: DownloadPlanner.Plan, for file: StoredFile) {
        let bytes: Int
        let wire: ByteBuffer?
        var body = plan.body
        switch plan.body {
        case .storedBytes(let buffer, let range):
            bytes = buffer.readableBytes
            // One buffer for the head and the body, written in one go; the body is a slice of it.
            var whole = Self.encode(plan.headers)
            let headBytes = whole.readableBytes
            whole.writeImmutableBuffer(buffer)
            wire = whole
            body = .storedBytes(whole.getSlice(at: whole.readerIndex + headBytes, length: bytes)!, range: range)
        case .file:
            bytes = 0
            wire = nil
        default: return
        }
        guard bytes <= byteCapacity / 16 else { return }
        let answer = Answer(
            sha256: file.digests.sha256, name: file.name, size: file.size, headers: plan.headers, wire: wire,
            body: body)
        state.withLock { state in
            if state.answers.count >= capacity || state.bytes + bytes > byteCapacity {
                state.answers.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            if let replaced = state.answers.updateValue(answer, forKey: file.id.rawValue),
                case .storedBytes(let old, _) = replaced.body
            {
                state.bytes -= old.readableBytes
            }
            state.bytes += bytes
        }
    }

    /// `HTTP/1.1 200 OK` and `headers` as `HTTPResponseEncoder` writes them for a response with a `Content-Length`
    /// (it adds no header of its own then).
    static func encode(_ headers: HTTPHeaders) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("HTTP/1.1 200 OK\r\n")
        for (name, value) in headers {
            buffer.writeString(name)
            buffer.writeString(": ")
            buffer.writeString(value)
            buffer.writeString("\r\n")
        }
        buffer.writeString("\r\n")
        return buffer
    }

    /// Answers held, and the bytes of their bodies.
    var totals: (answers: Int, bytes: Int) { state.withLock { ($0.answers.count, $0.bytes) } }
}
