import HTTPTypes
import TrefoilCore

/// A download URL shape of a face, such as OneBot's `/files/<id>/<name>?expires=…&sig=…` or a chat file's
/// `/<org>/<app>/chatfiles/<uuid>`.
///
/// `GET` and `HEAD` requests whose path a route matches are answered on the HTTP/1 pipeline, before any HTTP route:
/// the route decides (checking a token, a secret or a signature, and looking the file up) and the shared pipeline
/// serves the file it names with `sendfile`, `Range`, `ETag`/`If-None-Match`, `HEAD` and download counting, or
/// writes the route's refusal as it is.
public protocol DownloadRoute: Sendable {
    /// Whether this route answers `path` (the request target without its query).
    ///
    /// Called on the event loop for every `GET` and `HEAD` request: a cheap test of the path's shape, with no I/O.
    func matches(path: Substring) -> Bool

    /// The file to serve, or the refusal, for a request whose path `matches`.
    func resolve(_ request: DownloadRequest) async -> DownloadResolution

    /// The answer from memory alone, or nil to have `resolve` asked: for a route whose common case needs no I/O (a
    /// signed link to a file read a moment ago). Called on the event loop: it must not block or wait.
    func resolveNow(_ request: DownloadRequest) -> DownloadResolution?
}

extension DownloadRoute {
    /// Routes that always need the store resolve nothing from memory.
    public func resolveNow(_ request: DownloadRequest) -> DownloadResolution? { nil }
}

/// A `GET` or `HEAD` request for a download route.
public struct DownloadRequest: Sendable {
    /// `true` for `HEAD`: the pipeline then sends the head only.
    public let isHead: Bool
    /// The request target's path, still percent-encoded.
    public let path: String
    /// The request target's query, without `?`; empty when there is none.
    public let query: String
    public let headers: HTTPFields

    public init(isHead: Bool, path: String, query: String, headers: HTTPFields) {
        self.isHead = isHead
        self.path = path
        self.query = query
        self.headers = headers
    }

    /// The query's parameters, decoded (`+` as space, percent escapes); empty when the query is malformed.
    public var queryItems: [String: String] { FormEncoding.decode(Substring(query)) ?? [:] }
}

/// What a download route decided.
public enum DownloadResolution: Sendable {
    /// Serve this stored file.
    case file(StoredFile)
    /// Serve this blob derived from a stored file (a preview), like a file but without counting a download.
    case derived(DerivedDownload)
    /// Answer with this, in the face's own format.
    case refused(DownloadRefusal)
}

/// A derived blob to serve (`FileTree.derive`), and the name its `Content-Disposition` gives it.
public struct DerivedDownload: Sendable {
    public var blob: DerivedBlob
    public var name: String

    public init(blob: DerivedBlob, name: String) {
        self.blob = blob
        self.name = name
    }
}

/// A download refused in a face's own format: its status, headers and body, written as they are (with
/// `Content-Length` added).
public struct DownloadRefusal: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: [UInt8]

    public init(status: HTTPResponse.Status, headers: HTTPFields = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
