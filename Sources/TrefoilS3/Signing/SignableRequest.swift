/// A request as Signature Version 4 sees it: what is signed, before anything is added for the signature.
public struct SignableRequest: Sendable, Equatable {
    public var method: String
    /// The path as the server receives it once decoded (`/bucket/key with space`): the signer percent-encodes it.
    public var path: String
    /// Query parameters, decoded, in any order.
    public var query: [(name: String, value: String)]
    /// Headers in any order and case; `host` among them. Repeated names are joined with commas, in order.
    public var headers: [(name: String, value: String)]
    /// The hex SHA-256 of the body, or `UNSIGNED-PAYLOAD` (S3 accepts it for presigned URLs and over TLS).
    public var payloadHash: String

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)], payloadHash: String = SignableRequest.emptyPayloadHash
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }

    /// The SHA-256 of no bytes.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    public static func == (lhs: SignableRequest, rhs: SignableRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.payloadHash == rhs.payloadHash
            && lhs.query.elementsEqual(rhs.query) { $0 == $1 } && lhs.headers.elementsEqual(rhs.headers) { $0 == $1 }
    }
}
