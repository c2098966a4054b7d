import CoreMetrics
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import TrefoilCore
import TrefoilFaceKit
import TrefoilMetrics

/// What to answer to a download: the faces' download routes decide which stored file (or blob derived from one) a
/// request names, or refuse it in their own format, and the planner turns that into the answer every route shares:
/// `ETag` and `If-None-Match`, a single `Range`, `HEAD`, `Content-Disposition`, and a file's download counted.
/// `DownloadHandler` writes the answer.
struct DownloadPlanner: Sendable {
    /// An answer: status and headers, then nothing, some bytes, or a byte range of a stored blob.
    struct Plan: Sendable {
        enum Body: Sendable {
            case none
            case bytes([UInt8])
            /// `range` is inclusive, within the file.
            case file(path: String, range: ClosedRange<Int64>)
            /// A blob a remote backend keeps, streamed through; `range` as for `.file`.
            case remote(sha256: String, range: ClosedRange<Int64>)
            /// The bytes `range` of a blob kept in the database (a small file), read before the answer.
            case storedBytes(ByteBuffer, range: ClosedRange<Int64>)
        }

        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: Body
        /// What a `.file` body sends, for the metrics.
        var kind: DownloadKind = .file
        /// The whole answer already encoded for HTTP/1.1, head and body (a prepared answer's of bytes in memory), to
        /// write as it is.
        var wire: ByteBuffer? = nil
    }

    /// A face's download route, with the face it belongs to.
    struct MountedRoute: Sendable {
        let face: String
        let route: any DownloadRoute
    }

    let tree: FileTree
    /// The enabled faces' routes, asked in order.
    let routes: [MountedRoute]
    /// Answers and bytes sent, by face, in the gateway's metrics.
    let metrics: DownloadMetrics
    /// How blobs of a remote backend are served; nil on the local folder.
    let remote: RemoteDownloads?
    /// Whole-file answers of files downloaded a moment ago.
    let prepared = PreparedAnswers()

    init(tree: FileTree, routes: [MountedRoute], metrics: any MetricsFactory, remote: RemoteDownloads?) {
        self.tree = tree
        self.routes = routes
        self.metrics = DownloadMetrics(factory: metrics)
        self.remote = remote
    }

    /// The route that answers `path`, or nil when the request is not a download.
    func route(forPath path: Substring) -> MountedRoute? {
        routes.first { $0.route.matches(path: path) }
    }

    /// Counts an answer once it was written (`completed`) or given up: every answer as a request of its face, and a
    /// stored blob's bytes as a download when all of them went out.
    func record(_ plan: Plan, face: String, completed: Bool) {
        let served: Int64?
        switch plan.body {
        case .file(_, let range), .remote(_, let range), .storedBytes(_, let range):
            served = completed ? range.upperBound - range.lowerBound + 1 : nil
        default: served = nil
        }
        metrics.record(face: face, status: Int(plan.status.code), kind: plan.kind, served: served)
    }

    /// The answer from memory alone, on the event loop, or nil when it needs the store (`plan`): a route that
    /// resolves from memory (`DownloadRoute.resolveNow`) to a file on the local folder, or one kept in the database
    /// whose bytes were read before. A refusal is answered here too.
    func planNow(_ route: any DownloadRoute, head: HTTPRequestHead, path: Substring, query: Substring) -> Plan? {
        let isHead = head.method == .HEAD
        guard let resolution = route.resolveNow(Self.request(head, path: path, query: query)) else { return nil }
        switch resolution {
        case .file(let file):
            let plain = Self.asksWholeFile(head.headers)
            if plain, let answer = prepared.answer(for: file) {
                if isHead { return Plan(status: .ok, headers: answer.headers, body: .none) }
                tree.recordDownload(of: file.id)
                return Plan(status: .ok, headers: answer.headers, body: answer.body, wire: answer.wire)
            }
            let source: Blob.Source
            if file.bytesInDatabase {
                guard let bytes = tree.cachedBytes(of: file) else { return nil }
                source = .bytes(ByteBuffer(bytes: bytes))
            } else {
                guard let path = tree.blobPath(of: file) else { return nil }
                source = .path(path)
            }
            let plan = plan(Blob(file, source: source), headers: head.headers, head: isHead)
            if plain, !isHead, plan.status == .ok { prepared.keep(plan, for: file) }
            return plan
        case .derived: return nil
        case .refused(let refusal): return Plan(refusal)
        }
    }

    /// The prepared answer (`PreparedAnswers`) to a whole-file `GET` of a file whose bytes are in memory, with its
    /// download counted; nil, and nothing done, for anything else. For `DownloadFastPath`, which answers only this.
    func preparedNow(_ route: any DownloadRoute, _ request: DownloadRequest) -> Plan? {
        guard !request.isHead, case .file(let file) = route.resolveNow(request),
            let answer = prepared.answer(for: file), case .storedBytes = answer.body
        else { return nil }
        tree.recordDownload(of: file.id)
        return Plan(status: .ok, headers: answer.headers, body: answer.body, wire: answer.wire)
    }

    /// Whether a request asks for the whole file, unconditionally: no `Range`, no `If-None-Match`.
    private static func asksWholeFile(_ headers: HTTPHeaders) -> Bool {
        !headers.contains(name: "range") && !headers.contains(name: "if-none-match")
    }

    private static func request(_ head: HTTPRequestHead, path: Substring, query: Substring) -> DownloadRequest {
        DownloadRequest(
            isHead: head.method == .HEAD, path: String(path), query: String(query), headers: HTTPFields(head.headers))
    }

    func plan(_ route: any DownloadRoute, head: HTTPRequestHead, path: Substring, query: Substring) async -> Plan {
        let isHead = head.method == .HEAD
        switch await route.resolve(Self.request(head, path: path, query: query)) {
        case .file(let file) where file.bytesInDatabase:
            // At most `storage.inline_blob_bytes` (16 KiB by default): one indexed read, whatever part is asked for.
            guard let bytes = try? await tree.bytes(of: file, in: 0..<file.size), bytes.count == file.size else {
                return Self.text(.internalServerError, "the file could not be read")
            }
            return plan(Blob(file, source: .bytes(ByteBuffer(bytes: bytes))), headers: head.headers, head: isHead)
        case .file(let file):
            return plan(Blob(file, source: Blob.source(tree.blobPath(of: file))), headers: head.headers, head: isHead)
        case .derived(let derived):
            return plan(
                Blob(derived, source: Blob.source(tree.blobPath(of: derived.blob))), headers: head.headers,
                head: isHead)
        case .refused(let refusal): return Plan(refusal)
        }
    }

    /// Bytes to serve: a stored file's, or a blob's derived from one.
    struct Blob {
        enum Source {
            /// The blob's file on the local folder.
            case path(String)
            /// A remote backend keeps it.
            case remote
            /// The whole blob, read from the database.
            case bytes(ByteBuffer)
        }

        let source: Source
        let size: Int64
        let sha256: String
        let contentType: String
        let name: String
        /// The file whose download count a download from byte 0 moves; nil for a derived blob, whose serving is
        /// not a download of the file.
        let counted: FileID?

        static func source(_ path: String?) -> Source { path.map(Source.path) ?? .remote }

        init(_ file: StoredFile, source: Source) {
            self.source = source
            size = file.size
            sha256 = file.digests.sha256
            contentType = MimeTypes.type(forFileName: file.name)
            name = file.name
            counted = file.id
        }

        init(_ derived: DerivedDownload, source: Source) {
            self.source = source
            size = derived.blob.size
            sha256 = derived.blob.sha256
            contentType = derived.blob.mediaType
            name = derived.name
            counted = nil
        }
    }

    /// The answer that serves `file`.
    func plan(_ file: Blob, headers: HTTPHeaders, head: Bool) -> Plan {
        var fields: HTTPHeaders = [
            "Content-Type": file.contentType,
            "ETag": "\"\(file.sha256)\"",
            "Accept-Ranges": "bytes",
            "Content-Disposition": Self.disposition(for: file.name),
            "Cache-Control": "private, max-age=300",
        ]
        if let tags = headers.first(name: "if-none-match"), tags.contains(file.sha256) || tags == "*" {
            return Plan(status: .notModified, headers: fields, body: .none)
        }
        let range: ClosedRange<Int64>?
        switch ByteRange.parse(headers.first(name: "range"), size: file.size) {
        case .none: range = nil
        case .satisfiable(let bounds): range = bounds
        case .unsatisfiable:
            fields.add(name: "Content-Range", value: "bytes */\(file.size)")
            fields.add(name: "Content-Length", value: "0")
            return Plan(status: .rangeNotSatisfiable, headers: fields, body: .none)
        }
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? file.size
        fields.add(name: "Content-Length", value: String(length))
        if let range {
            fields.add(name: "Content-Range", value: "bytes \(range.lowerBound)-\(range.upperBound)/\(file.size)")
        }
        let status: HTTPResponseStatus = range == nil ? .ok : .partialContent
        if head { return Plan(status: status, headers: fields, body: .none) }
        if let counted = file.counted, range?.lowerBound ?? 0 == 0 { tree.recordDownload(of: counted) }
        if let remote, case .remote = file.source, remote.redirect {
            return redirect(to: file, remote)
        }
        if length == 0 { return Plan(status: status, headers: fields, body: .none) }
        let bytes = range ?? 0...(file.size - 1)
        let body: Plan.Body =
            switch file.source {
            case .path(let path): .file(path: path, range: bytes)
            case .remote: .remote(sha256: file.sha256, range: bytes)
            case .bytes(let all):
                .storedBytes(
                    all.getSlice(at: all.readerIndex + Int(bytes.lowerBound), length: Int(length)) ?? all,
                    range: bytes)
            }
        return Plan(status: status, headers: fields, body: body, kind: file.counted == nil ? .derived : .file)
    }

    /// A 302 to a presigned URL of the object, which answers with the file's name and type; the client sends its
    /// Range to the object store itself. Not cached: the URL expires.
    private func redirect(to file: Blob, _ remote: RemoteDownloads) -> Plan {
        let location = remote.blobs.presignedURL(
            file.sha256, disposition: Self.disposition(for: file.name), contentType: file.contentType,
            expires: remote.presignTTLSeconds)
        return Plan(
            status: .found,
            headers: ["Location": location, "Cache-Control": "no-store", "Content-Length": "0"], body: .none)
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Plan {
        Plan(.plainText(status, text))
    }

    /// `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 5987 / RFC 6266).
    static func disposition(for name: String) -> String {
        let fallback = String(
            name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" }
        )
        let plain = name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default: Self.attrPunctuation.contains(byte)
            }
        }
        // Most names need no escaping: Foundation's percent-encoding was 5% of a small download's time.
        let encoded = plain ? name : name.addingPercentEncoding(withAllowedCharacters: Self.attrChars) ?? fallback
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }

    /// RFC 5987's attr-char: what a `filename*` value keeps as it is. Built once: making the set for every answer
    /// showed in the profile of small downloads.
    private static let attrChars: CharacterSet = {
        var allowed = CharacterSet.alphanumerics.intersection(
            CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: String(decoding: attrPunctuation, as: UTF8.self))
        return allowed
    }()
    private static let attrPunctuation = Array("!#$&+-.^_`|~".utf8)
}

/// A single-range `Range` header (RFC 9110 §14.1.2) judged against a file size.
enum ByteRange: Equatable {
    /// No usable Range header (absent, malformed, or several ranges): send the whole file.
    case none
    case satisfiable(ClosedRange<Int64>)
    case unsatisfiable

    static func parse(_ header: String?, size: Int64) -> ByteRange {
        guard let header, header.hasPrefix("bytes=") else { return .none }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .none }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            // A suffix range: the last N bytes.
            guard let count = Int64(last), count >= 0 else { return .none }
            guard count > 0, size > 0 else { return .unsatisfiable }
            return .satisfiable(max(0, size - count)...(size - 1))
        }
        guard let start = Int64(first), start >= 0 else { return .none }
        let end: Int64
        if last.isEmpty {
            end = size - 1
        } else {
            guard let value = Int64(last), value >= start else { return .none }
            end = min(value, size - 1)
        }
        guard start < size else { return .unsatisfiable }
        return .satisfiable(start...end)
    }
}

extension DownloadPlanner.Plan {
    /// A route's refusal as it is, with its length.
    init(_ refusal: DownloadRefusal) {
        var headers = HTTPHeaders(refusal.headers.map { ($0.name.rawName, $0.value) })
        if refusal.headers[.contentLength] == nil {
            headers.add(name: "Content-Length", value: String(refusal.body.count))
        }
        self.init(
            status: HTTPResponseStatus(statusCode: refusal.status.code, reasonPhrase: refusal.status.reasonPhrase),
            headers: headers, body: refusal.body.isEmpty ? .none : .bytes(refusal.body))
    }
}

extension DownloadRefusal {
    /// A line of text, as OneBot's links and the pipeline's own failures answer.
    static func plainText(_ status: HTTPResponse.Status, _ text: String) -> DownloadRefusal {
        DownloadRefusal(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: Array((text + "\n").utf8))
    }
}
