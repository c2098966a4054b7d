import Foundation
import HTTPTypes
import Hummingbird
import OneBotV11
import TrefoilCore

/// `GET|HEAD /files/<uuid>[/<name>]?expires=…&sig=…` (PROTOCOL.md §3.4): the signature is the
/// credential, so no access token is asked for.
struct DownloadRoutes: Sendable {
    let tree: FileTree
    let signer: DownloadSigner
    let files = FileIO()

    func register(on router: Router<BasicRequestContext>) {
        for path in ["/files/:id", "/files/:id/:name"] {
            router.get(RouterPath(path)) { request, context in
                try await serve(request, context: context, id: context.parameters.get("id") ?? "", head: false)
            }
            router.head(RouterPath(path)) { request, context in
                try await serve(request, context: context, id: context.parameters.get("id") ?? "", head: true)
            }
        }
    }

    private func serve(_ request: Request, context: BasicRequestContext, id: String, head: Bool) async throws
        -> Response
    {
        let query = queryParameters(request)
        let fileID = FileID("/" + id)
        let now = Int64(Date().timeIntervalSince1970)
        guard let expires = query["expires"].flatMap(Int64.init), let signature = query["sig"],
            signer.isValid(signature: signature, for: fileID, expires: expires, now: now)
        else {
            return plain(.forbidden, "this link is forged or has expired; ask for a new one with get_group_file_url")
        }
        let file: StoredFile
        do {
            file = try await tree.file(fileID)
        } catch TrefoilError.fileNotFound {
            return plain(.notFound, "this file has been deleted")
        }

        var headers: HTTPFields = [
            .contentType: MimeTypes.type(forFileName: file.name),
            .eTag: "\"\(file.digests.sha256)\"",
            .acceptRanges: "bytes",
            .contentDisposition: Self.disposition(for: file.name),
            .cacheControl: "private, max-age=300",
        ]
        if let tags = request.headers[.ifNoneMatch], tags.contains(file.digests.sha256) || tags == "*" {
            return Response(status: .notModified, headers: headers)
        }
        let range: ClosedRange<Int64>?
        switch ByteRange.parse(request.headers[.range], size: file.size) {
        case .none: range = nil
        case .satisfiable(let bounds): range = bounds
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(file.size)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        }
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? file.size
        headers[.contentLength] = String(length)
        if let range { headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(file.size)" }
        let status: HTTPResponse.Status = range == nil ? .ok : .partialContent
        if head { return Response(status: status, headers: headers) }
        if range?.lowerBound ?? 0 == 0 { try? await tree.recordDownload(of: file.id) }
        if length == 0 { return Response(status: status, headers: headers) }
        let path = tree.blobPath(of: file)
        let bounds = range.map { Int($0.lowerBound)...Int($0.upperBound) } ?? 0...Int(file.size - 1)
        let body = try await files.loadFile(path: path, range: bounds, context: context, chunkLength: 1 << 20)
        return Response(status: status, headers: headers, body: body)
    }

    private func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: .init(string: text + "\n")))
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
