import Foundation
import TrefoilCore

/// Where the bytes of an upload's `file` parameter come from (docs/onebot11.md §3.2), tried in order:
/// base64 and data URIs, http(s) URLs, then `file://` URLs and absolute local paths.
enum FileSource {
    case inline([UInt8])
    case local(FileChunks, name: String)
    case remote(RemoteFile)

    /// Decodes inline content or opens the local file or URL named by `file`.
    static func open(_ file: String, context: ActionContext) async throws -> FileSource {
        if file.hasPrefix("base64://") {
            return .inline(try decodeBase64(file.dropFirst("base64://".count)))
        }
        if file.hasPrefix("data:") {
            return .inline(try decodeDataURI(file))
        }
        let lower = file.prefix(8).lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let fetcher = context.fetcher else { throw OneBotError.unsupported("URL sources are not available") }
            return .remote(try await fetcher.fetch(file, headers: []))
        }
        if file.hasPrefix("file://") || file.hasPrefix("/") {
            let (chunks, name) = try await context.localFiles.open(file)
            return .local(chunks, name: name)
        }
        throw OneBotError.invalid(
            "file", "expected base64://…, a data: URI, an http(s) URL, a file:// URL or an absolute path")
    }

    /// The name the source suggests, used when the caller gave none.
    var suggestedName: String? {
        switch self {
        case .inline: nil
        case .local(_, let name): name
        case .remote(let remote): remote.suggestedName
        }
    }

    /// Uploads the source's bytes into the tree.
    func upload(into tree: FileTree, name: String, owner: Owner, folder: FolderID, by member: Member) async throws
        -> StoredFile
    {
        switch self {
        case .inline(let bytes):
            return try await tree.upload(OneChunk(bytes: bytes), name: name, to: owner, folder: folder, by: member)
        case .local(let chunks, _):
            return try await tree.upload(chunks, name: name, to: owner, folder: folder, by: member)
        case .remote(let remote):
            return try await tree.upload(remote.bytes, name: name, to: owner, folder: folder, by: member)
        }
    }

    static func decodeBase64(_ text: Substring) throws(OneBotError) -> [UInt8] {
        guard let data = Data(base64Encoded: String(text), options: .ignoreUnknownCharacters) else {
            throw .invalid("file", "not valid base64")
        }
        return Array(data)
    }

    /// `data:[<mime>][;base64],<data>`; without `;base64` the data is percent-encoded text.
    static func decodeDataURI(_ uri: String) throws(OneBotError) -> [UInt8] {
        guard let comma = uri.firstIndex(of: ",") else { throw .invalid("file", "a data: URI needs a comma") }
        let header = uri[uri.index(uri.startIndex, offsetBy: 5)..<comma]
        let payload = uri[uri.index(after: comma)...]
        if header.split(separator: ";").contains(where: { $0.lowercased() == "base64" }) {
            return try decodeBase64(payload)
        }
        guard let text = String(payload).removingPercentEncoding else {
            throw .invalid("file", "bad percent-encoding in the data: URI")
        }
        return Array(text.utf8)
    }
}

/// A byte array as a one-element async sequence.
struct OneChunk: AsyncSequence, Sendable {
    let bytes: [UInt8]

    func makeAsyncIterator() -> Iterator { Iterator(bytes: bytes) }

    struct Iterator: AsyncIteratorProtocol {
        var bytes: [UInt8]?
        mutating func next() async -> [UInt8]? {
            defer { bytes = nil }
            return bytes
        }
    }
}
