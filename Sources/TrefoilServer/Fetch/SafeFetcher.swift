import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An HTTP(S) client for user-supplied URLs that refuses loopback, private and other special addresses (SSRF).
///
/// It resolves every host itself, checks all of its addresses, and connects to a checked address directly, so a DNS
/// answer that changes between check and connect (rebinding) cannot sneak in; every redirect hop is checked the same
/// way. AsyncHTTPClient cannot pin the address it connects to, which is why this is written on SwiftNIO directly.
/// Create one and reuse it: the TLS trust store is loaded once per fetcher.
public struct SafeFetcher: Sendable {
    /// Limits and identity of a fetcher.
    public struct Configuration: Sendable {
        /// Connect timeout and inactivity timeout; a large file that keeps flowing is not cut off by it.
        public var timeout: Duration
        /// How long one whole request may take, redirects, connecting and body included; nil for no limit. Without
        /// it, a server that sends a byte just inside every `timeout` holds the request for as long as it likes.
        public var totalTimeout: Duration?
        /// When false, every address in a special-purpose range is refused.
        public var allowPrivateNetworks: Bool
        /// Redirects followed by `get` before it fails with "too many redirects".
        public var maxRedirects: Int
        /// Largest body accepted, checked against Content-Length up front and while streaming.
        public var maxBytes: Int64
        /// Default User-Agent header; a caller header may override it.
        public var userAgent: String

        /// Creates a configuration; the defaults suit downloads of user-supplied files.
        public init(
            timeout: Duration = .seconds(60), totalTimeout: Duration? = nil, allowPrivateNetworks: Bool = false,
            maxRedirects: Int = 5, maxBytes: Int64 = 4 << 30, userAgent: String = "Trefoil"
        ) {
            self.timeout = timeout
            self.totalTimeout = totalTimeout
            self.allowPrivateNetworks = allowPrivateNetworks
            self.maxRedirects = maxRedirects
            self.maxBytes = maxBytes
            self.userAgent = userAgent
        }
    }

    /// The configuration this fetcher was created with.
    public let configuration: Configuration
    /// Which addresses may be connected to; internal so tests can allow-list loopback addresses.
    var policy: AddressPolicy
    let eventLoopGroup: any EventLoopGroup
    let tls: FetchTLSContextCache

    /// Creates a fetcher that trusts the system's certificate authorities.
    public init(
        configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.init(
            configuration: configuration, eventLoopGroup: eventLoopGroup,
            tlsConfiguration: .makeClientConfiguration())
    }

    /// Creates a fetcher with a custom TLS configuration, so tests can trust their own certificate authority.
    init(configuration: Configuration, eventLoopGroup: any EventLoopGroup, tlsConfiguration: TLSConfiguration) {
        self.configuration = configuration
        self.policy = AddressPolicy(allowPrivateNetworks: configuration.allowPrivateNetworks)
        self.eventLoopGroup = eventLoopGroup
        self.tls = FetchTLSContextCache(configuration: tlsConfiguration)
    }

    /// POST a body (for webhooks); no redirects followed; returns status and the (size-capped) body.
    ///
    /// Any final status is returned rather than thrown, so callers can tell a rejected delivery from a failed one.
    public func post(
        _ url: String, headers: [(String, String)], body: ByteBuffer
    ) async throws(FetchError) -> (status: Int, body: ByteBuffer) {
        let target = try FetchTarget(parsing: url)
        let exchange = try await self.exchange(
            with: target, method: .POST, headers: headers, body: body, deadline: self.makeDeadline())
        _ = try self.checkedContentLength(of: exchange)
        let responseBody = try await exchange.body.collect()
        return (Int(exchange.head.status.code), responseBody)
    }

    /// When a request starting now must be complete, from `totalTimeout`.
    func makeDeadline() -> FetchDeadline? {
        self.configuration.totalTimeout.map { FetchDeadline(limit: TimeAmount($0)) }
    }

    /// The declared body length, or `.tooLarge` (closing the connection) when it exceeds `maxBytes`.
    func checkedContentLength(of exchange: FetchExchange) throws(FetchError) -> Int64? {
        guard let text = exchange.head.headers.first(name: "content-length") else { return nil }
        guard let length = Int64(text) else {
            exchange.close()
            throw .failed("malformed response: invalid Content-Length")
        }
        if length > self.configuration.maxBytes {
            exchange.close()
            throw .tooLarge(self.configuration.maxBytes)
        }
        return length
    }
}
