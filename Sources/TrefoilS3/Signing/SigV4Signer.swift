import Crypto
import Foundation

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`), as S3 and every S3-compatible store check it: the `Authorization`
/// header of a request, or the query of a presigned URL.
///
/// Written here because no maintained S3 SDK is among the packages this project may use; it is checked against the
/// published Signature Version 4 test suite (Tests/TrefoilS3Tests).
public struct SigV4Signer: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    public let service: String
    /// Whether dot segments and repeated slashes leave the path before it is signed. S3 signs the key as it is
    /// (`false`); most other AWS services normalize.
    public let normalizesPath: Bool
    /// Whether the session token is signed (S3: yes). A few services want it added after the signature.
    public let signsSessionToken: Bool

    public static let algorithm = "AWS4-HMAC-SHA256"

    public init(
        credentials: AWSCredentials, region: String, service: String = "s3", normalizesPath: Bool = false,
        signsSessionToken: Bool = true
    ) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizesPath = normalizesPath
        self.signsSessionToken = signsSessionToken
    }

    /// The steps of one signature, for tests and for explaining a refusal.
    public struct Signature: Sendable, Equatable {
        public let canonicalRequest: String
        public let stringToSign: String
        /// Lower-case hex.
        public let signature: String
    }

    /// Signs `request` in its headers. Returns the headers to add, `Authorization` last: `x-amz-date`, the session
    /// token when there is one, and `x-amz-content-sha256` (the payload hash; S3 requires it) when
    /// `addingContentHash`.
    public func sign(_ request: SignableRequest, at date: Date, addingContentHash: Bool = true)
        -> (headers: [(name: String, value: String)], signature: Signature)
    {
        let time = SigningTime(date)
        var request = request
        var added: [(name: String, value: String)] = [("x-amz-date", time.stamp)]
        if let token = credentials.sessionToken, signsSessionToken { added.append(("x-amz-security-token", token)) }
        if addingContentHash { added.append(("x-amz-content-sha256", request.payloadHash)) }
        request.headers += added
        let canonical = CanonicalRequest(request, normalizesPath: normalizesPath)
        let signature = signature(of: canonical.text, at: time)
        let authorization =
            "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(time)), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature.signature)"
        if let token = credentials.sessionToken, !signsSessionToken { added.append(("x-amz-security-token", token)) }
        added.append(("Authorization", authorization))
        return (added, signature)
    }

    /// Presigns `request` for `expires` seconds: the query parameters to append to its URL (already in it: its
    /// own), `X-Amz-Signature` last. Values are decoded; encode them when building the URL.
    public func presign(_ request: SignableRequest, at date: Date, expires: Int)
        -> (query: [(name: String, value: String)], signature: Signature)
    {
        let time = SigningTime(date)
        var added: [(name: String, value: String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(time))"),
            ("X-Amz-Date", time.stamp),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", CanonicalRequest.signedHeaders(of: request.headers)),
        ]
        if let token = credentials.sessionToken, signsSessionToken { added.append(("X-Amz-Security-Token", token)) }
        var signed = request
        signed.query += added
        let signature = signature(of: CanonicalRequest(signed, normalizesPath: normalizesPath).text, at: time)
        if let token = credentials.sessionToken, !signsSessionToken { added.append(("X-Amz-Security-Token", token)) }
        added.append(("X-Amz-Signature", signature.signature))
        return (added, signature)
    }

    private func scope(_ time: SigningTime) -> String { "\(time.day)/\(region)/\(service)/aws4_request" }

    private func signature(of canonicalRequest: String, at time: SigningTime) -> Signature {
        let stringToSign = [
            Self.algorithm, time.stamp, scope(time), Hex.encode(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [time.day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let code = HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key)
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: Hex.encode(code))
    }
}

/// The two forms of the signing time: `20150830T123600Z` and `20150830`, in UTC.
struct SigningTime {
    let stamp: String
    let day: String

    init(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        day = "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))"
        stamp = "\(day)T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }
}

/// Lower-case hex of bytes.
enum Hex {
    static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
