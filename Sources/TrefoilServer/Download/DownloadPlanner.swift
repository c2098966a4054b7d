import Foundation
import NIOHTTP1
import TrefoilCore

/// What to answer to `GET|HEAD /files/<uuid>[/<name>]?expires=…&sig=…` (docs/onebot11.md §3.5): the
/// signature is the credential, so no access token is asked for. `DownloadHandler` writes the answer.
struct DownloadPlanner: Sendable {
    /// An answer: status and headers, then nothing, a short text, or a byte range of a stored blob.
    struct Plan: Sendable {
        enum Body: Sendable {
            case none
            case text(String)
            /// `range` is inclusive, within the file.
            case file(path: String, range: ClosedRange<Int64>)
        }

        var status: HTTPResponseStatus
        var headers: [(String, String)]
        var body: Body
    }

    let tree: FileTree
    let signer: LinkSigner

    /// The file id in a download path, or nil when the path is not a download's.
    static func fileID(inPath path: Substring) -> FileID? {
        guard path.hasPrefix("/files/") else { return nil }
        let segments = path.dropFirst("/files/".count).split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 1 || segments.count == 2, let id = segments.first, !id.isEmpty else { return nil }
        return FileID("/" + id)
    }

    func plan(_ id: FileID, query: Substring, headers: HTTPHeaders, head: Bool) async -> Plan {
        let query = FormEncoding.decode(query) ?? [:]
        let now = Int64(Date().timeIntervalSince1970)
        guard let expires = query["expires"].flatMap(Int64.init), let signature = query["sig"],
            signer.isValid(signature: signature, .download, subject: id.rawValue, expires: expires, now: now)
        else {
            return Self.text(
                .forbidden, "this link is forged or has expired; ask for a new one with get_group_file_url")
        }
        let file: StoredFile
        do {
            file = try await tree.file(id)
        } catch TrefoilError.fileNotFound {
            return Self.text(.notFound, "this file has been deleted")
        } catch {
            return Self.text(.internalServerError, "the file could not be looked up")
        }

        var fields = [
            ("Content-Type", MimeTypes.type(forFileName: file.name)),
            ("ETag", "\"\(file.digests.sha256)\""),
            ("Accept-Ranges", "bytes"),
            ("Content-Disposition", Self.disposition(for: file.name)),
            ("Cache-Control", "private, max-age=300"),
        ]
        if let tags = headers.first(name: "if-none-match"), tags.contains(file.digests.sha256) || tags == "*" {
            return Plan(status: .notModified, headers: fields, body: .none)
        }
        let range: ClosedRange<Int64>?
        switch ByteRange.parse(headers.first(name: "range"), size: file.size) {
        case .none: range = nil
        case .satisfiable(let bounds): range = bounds
        case .unsatisfiable:
            fields.append(("Content-Range", "bytes */\(file.size)"))
            fields.append(("Content-Length", "0"))
            return Plan(status: .rangeNotSatisfiable, headers: fields, body: .none)
        }
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? file.size
        fields.append(("Content-Length", String(length)))
        if let range { fields.append(("Content-Range", "bytes \(range.lowerBound)-\(range.upperBound)/\(file.size)")) }
        let status: HTTPResponseStatus = range == nil ? .ok : .partialContent
        if head { return Plan(status: status, headers: fields, body: .none) }
        if range?.lowerBound ?? 0 == 0 { tree.recordDownload(of: file.id) }
        if length == 0 { return Plan(status: status, headers: fields, body: .none) }
        return Plan(
            status: status, headers: fields,
            body: .file(path: tree.blobPath(of: file), range: range ?? 0...(file.size - 1)))
    }

    static func text(_ status: HTTPResponseStatus, _ text: String) -> Plan {
        let body = text + "\n"
        return Plan(
            status: status,
            headers: [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", String(body.utf8.count))],
            body: .text(body))
    }

    /// `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 5987 / RFC 6266).
    static func disposition(for name: String) -> String {
        let fallback = String(
            name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" }
        )
        var allowed = CharacterSet.alphanumerics.intersection(
            CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "!#$&+-.^_`|~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? fallback
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }
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
