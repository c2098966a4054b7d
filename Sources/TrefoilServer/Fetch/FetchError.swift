/// Why a `SafeFetcher` request did not produce a usable response.
public enum FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL or an address it leads to is not allowed (scheme, userinfo, missing host, special address range).
    case refused(String)
    /// The fetch was allowed but did not succeed (DNS, connect, TLS, timeout, HTTP status, redirects, bad response).
    case failed(String)
    /// The body is larger than the configured limit, which is the associated value.
    case tooLarge(Int64)

    /// A human-readable summary suitable for logs and API error messages.
    public var description: String {
        switch self {
        case .refused(let reason): "refused: \(reason)"
        case .failed(let reason): "failed: \(reason)"
        case .tooLarge(let limit): "too large: the body exceeds the limit of \(limit) bytes"
        }
    }
}
