import HTTPTypes
import JWTKit
import Synchronization
import TrefoilFaceKit

/// Reads a call's credentials: the `app_id` and `access-token` headers, and for an admin token the `user_id` or
/// `group_id` header, as the service documents them.
struct QiniuAuth: Sendable {
    let appID: String
    let adminTokens: [String]
    /// The user-token verifier, keyed with `jwt_secret` (built once, off the face's synchronous init).
    let keys: Task<JWTKeyCollection, Never>
    /// The store's clock (Unix seconds).
    let now: @Sendable () -> Int64
    /// Tokens whose signature was checked, with what they say.
    let verified = VerifiedTokens()

    init(settings: QiniuSettings, now: @escaping @Sendable () -> Int64) {
        appID = settings.appID
        adminTokens = settings.adminTokens
        let secret = settings.jwtSecret
        keys = Task { await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256) }
        self.now = now
    }

    static let appIDHeader = HTTPField.Name("app_id")!
    static let tokenHeader = HTTPField.Name("access-token")!
    static let userHeader = HTTPField.Name("user_id")!
    static let groupHeader = HTTPField.Name("group_id")!

    /// Who the call acts as, or why it is refused.
    func caller(_ headers: HTTPFields) async -> Result<QiniuCaller, QiniuError> {
        guard let app = headers[Self.appIDHeader], !app.isEmpty else {
            return .failure(.unauthorized("the app_id header is missing"))
        }
        guard ConstantTime.equal(app, appID) else {
            return .failure(.forbidden("this server does not serve the app \(app)"))
        }
        guard let token = headers[Self.tokenHeader], !token.isEmpty else {
            return .failure(.unauthorized("the access-token header is missing"))
        }
        if adminTokens.contains(where: { ConstantTime.equal(token, $0) }) {
            if let text = headers[Self.userHeader] {
                guard let user = Int64(text) else { return .failure(.badParam("user_id must be an integer")) }
                return .success(.user(user))
            }
            if let text = headers[Self.groupHeader] {
                guard let group = Int64(text) else { return .failure(.badParam("group_id must be an integer")) }
                return .success(.groupAdmin(group))
            }
            return .success(.admin)
        }
        // A user token acts as its own user: `user_id` and `group_id` are an admin's, and ignored here.
        let verified: VerifiedTokens.Entry
        if let known = self.verified.entry(for: token) {
            verified = known
        } else {
            let claims: QiniuUserClaims
            do {
                claims = try await keys.value.verify(token, as: QiniuUserClaims.self)
            } catch {
                return .failure(.unauthorized("the access-token is not valid"))
            }
            guard let user = claims.user, ConstantTime.equal(claims.appID, appID) else {
                return .failure(.unauthorized("the access-token is not valid for this app"))
            }
            verified = VerifiedTokens.Entry(user: user, expires: Int64(claims.exp.value.timeIntervalSince1970))
            self.verified.keep(verified, for: token)
        }
        guard verified.expires > now() else { return .failure(.unauthorized("the access-token has expired")) }
        return .success(.user(verified.user))
    }
}

/// User tokens already verified, by their text: a client sends the same token with every call, and checking its
/// signature again (jwt-kit's decode, an HMAC and a hop to its key collection's actor) held ticket issuance to
/// 0.47-0.51x of `get_version_info` (docs/performance.md). What a token says never changes (the secret is fixed for
/// the process), so a kept entry is still checked for expiry on every call, against the store's clock.
final class VerifiedTokens: Sendable {
    struct Entry: Sendable {
        var user: Int64
        var expires: Int64
    }

    /// Beyond this many tokens the table starts over.
    static let capacity = 10_000

    private let entries = Mutex<[String: Entry]>([:])

    func entry(for token: String) -> Entry? { entries.withLock { $0[token] } }

    func keep(_ entry: Entry, for token: String) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = entry
        }
    }
}
