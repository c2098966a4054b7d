import Foundation
import TrefoilCore
import TrefoilMetrics

/// Where the bytes of an upload's `file` parameter come from (docs/onebot11.md §3.2), tried in order:
/// base64 and data URIs, http(s) URLs, a staged file's id, then `file://` URLs and absolute local paths.
enum FileSource {
    case inline([UInt8])
    case local(FileChunks, name: String)
    case remote(RemoteFile)
    /// A staged file (`upload_file`, `upload_file_fragmented`, `upload_file_stream`, `upload_file_to_shamrock`):
    /// its blob is linked, not copied.
    case staged(StoredFile)

    /// Whether `file` carries its bytes inline (base64, a data URI): nothing is fetched or read to get them.
    static func isInline(_ file: String) -> Bool { file.hasPrefix("base64://") || file.hasPrefix("data:") }

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
            return try await fetch(file, headers: [], context: context)
        }
        // A staged id has the shape of an absolute path (`/` and a UUID); a path of that shape under a local root is
        // still read when no staged file has the id.
        if let staged = try await context.stagedFile(file) { return .staged(staged) }
        if file.hasPrefix("file://") || file.hasPrefix("/") {
            do {
                let (chunks, name) = try await context.localFiles.open(file)
                return .local(chunks, name: name)
            } catch {
                guard FileID.isFresh(file) else { throw error }
                throw OneBotError(
                    retcode: 35001, key: TrefoilError.fileNotFound.key,
                    message: "no staged file has this id (staged files expire after staging.ttl_seconds), "
                        + "and no local file is at this path")
            }
        }
        throw OneBotError.invalid(
            "file", "expected base64://…, a data: URI, an http(s) URL, a file:// URL or an absolute path")
    }

    /// Starts downloading an http(s) URL.
    static func fetch(_ url: String, headers: [(String, String)], context: ActionContext) async throws -> FileSource {
        guard let fetcher = context.fetcher else { throw OneBotError.unsupported("URL sources are not available") }
        return .remote(try await fetcher.fetch(url, headers: headers))
    }

    /// What the source counts as when its bytes are stored; nil for a staged file, whose bytes were counted when they
    /// arrived and are only linked now.
    var uploadSource: UploadSource? {
        switch self {
        case .inline: .base64
        case .local: .path
        case .remote: .url
        case .staged: nil
        }
    }

    /// The name the source suggests, used when the caller gave none.
    var suggestedName: String? {
        switch self {
        case .inline: nil
        case .local(_, let name): name
        case .remote(let remote): remote.suggestedName
        case .staged(let file): file.name
        }
    }

    /// Receives the source's bytes into the store's temp area without adding a file (`FileTree.stage`).
    func stage(into tree: FileTree) async throws -> StagedUpload {
        switch self {
        case .inline(let bytes): try await tree.stage(OneChunk(bytes: bytes))
        case .local(let chunks, _): try await tree.stage(chunks)
        case .remote(let remote): try await tree.stage(remote.bytes)
        case .staged:
            throw TrefoilError.internalError("a staged file was staged again instead of linked")
        }
    }

    /// Uploads the source's bytes into the tree; a staged file is linked. The tree does not precheck the target: the
    /// caller did before opening a source it had to fetch or read, and the commit checks the same for every source.
    func upload(into tree: FileTree, name: String, owner: Owner, folder: FolderID, by member: Member) async throws
        -> StoredFile
    {
        switch self {
        case .staged(let file):
            return try await tree.link(file, to: owner, folder: folder, name: name, by: member)
        case .inline(let bytes):
            return try await tree.upload(
                OneChunk(bytes: bytes), name: name, to: owner, folder: folder, by: member, prechecked: true)
        case .local(let chunks, _):
            return try await tree.upload(chunks, name: name, to: owner, folder: folder, by: member, prechecked: true)
        case .remote(let remote):
            return try await tree.upload(
                remote.bytes, name: name, to: owner, folder: folder, by: member, prechecked: true)
        }
    }

    static func decodeBase64(_ text: Substring) throws(OneBotError) -> [UInt8] {
        guard let data = Params.decodedBase64(text) else { throw .invalid("file", "not valid base64") }
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
