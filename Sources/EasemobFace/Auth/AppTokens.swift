import TrefoilCore

/// App tokens: minted by `POST …/token`, checked on every other call.
///
/// A token is signed, not stored: `YWMt<expires>.<signature>`, where the signature (the data directory's key, the
/// `appToken` purpose) covers the app key, the client id and the client secret, and the expiry (Unix seconds; 0:
/// never). So tokens survive restarts, nothing grows with the number of tokens handed out, and changing the client
/// secret in the config revokes every token minted with the old one.
struct AppTokens: Sendable {
    let signer: LinkSigner
    /// What a token vouches for: this app, with these credentials.
    private let subject: String

    init(signer: LinkSigner, settings: EasemobSettings) {
        self.signer = signer
        subject = "\(settings.orgName)#\(settings.appName)|\(settings.clientID)|\(settings.clientSecret)"
    }

    /// What every token starts with; the service's app tokens start the same way.
    static let marker = "YWMt"

    /// A token valid for `ttl` seconds from `now`; `ttl` 0 makes one that never expires.
    func mint(ttl: Int64, now: Int64) -> String {
        let expires = ttl == 0 ? 0 : now.addingReportingOverflow(ttl).overflow ? Int64.max : now + ttl
        return "\(Self.marker)\(expires).\(signer.signature(.appToken, subject: subject, expires: expires))"
    }

    enum Verdict: Equatable {
        case valid
        /// No `Authorization: Bearer …` header.
        case missing
        /// Not a token this app minted with its current credentials.
        case corrupt
        case expired
    }

    /// What the `Authorization` header's bearer token is worth at `now`.
    func check(authorization: String?, now: Int64) -> Verdict {
        guard let authorization, let token = Self.bearer(authorization) else { return .missing }
        guard token.hasPrefix(Self.marker) else { return .corrupt }
        let body = token.dropFirst(Self.marker.count)
        guard let dot = body.firstIndex(of: "."), let expires = Int64(body[..<dot]), expires >= 0 else {
            return .corrupt
        }
        let signature = String(body[body.index(after: dot)...])
        guard signer.isAuthentic(signature: signature, .appToken, subject: subject, expires: expires) else {
            return .corrupt
        }
        return expires == 0 || expires > now ? .valid : .expired
    }

    /// The token of `Bearer <token>` (the scheme is case-insensitive, as HTTP says), or nil.
    static func bearer(_ header: String) -> Substring? {
        let trimmed = header.drop(while: { $0 == " " })
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let token = trimmed.dropFirst(7).drop(while: { $0 == " " })
        let end = token.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? token.endIndex
        guard end > token.startIndex, token[end...].allSatisfy({ $0 == " " || $0 == "\t" }) else { return nil }
        return token[..<end]
    }
}
