import NIOCore

/// The response to a successful `SafeFetcher.get`: status and headers of the final hop, with the body still streaming.
public struct FetchResponse: Sendable {
    /// The HTTP status code (always 2xx).
    public let status: Int
    /// Response headers in arrival order, names as sent by the server.
    public let headers: [(String, String)]
    /// The declared body length, when the server sent a Content-Length.
    public let contentLength: Int64?
    /// A file name from Content-Disposition, else the final URL's last path segment; one path component, or nil.
    public let suggestedFileName: String?
    /// The final URL after redirects.
    public let finalURL: String
    /// The body; iterate it once.
    public let body: FetchBody

    /// The first value of a header, matching the name case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return self.headers.first { $0.0.lowercased() == wanted }?.1
    }
}
