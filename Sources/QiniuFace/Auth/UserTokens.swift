import Foundation
import JWTKit
import TrefoilCore

/// The claims of a user token: an HS256 JWT the app's own server signs with the secret it shares with Trefoil.
///
/// `sub` is the user id in decimal, `app_id` the app, `exp` the expiry. Expiry is checked by the caller against the
/// store's clock (`QiniuAuth`), not here against the wall clock, so that tests can move one clock for everything.
public struct QiniuUserClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var appID: String
    public var exp: ExpirationClaim

    enum CodingKeys: String, CodingKey {
        case sub
        case appID = "app_id"
        case exp
    }

    public init(user: Int64, appID: String, expires: Int64) {
        sub = SubjectClaim(value: String(user))
        self.appID = appID
        exp = ExpirationClaim(value: Date(timeIntervalSince1970: TimeInterval(expires)))
    }

    public func verify(using algorithm: some JWTAlgorithm) throws {}

    /// The user id `sub` names, or nil when it is not a decimal int64.
    var user: Int64? { Int64(sub.value).flatMap { String($0) == sub.value ? $0 : nil } }
}

/// Mints user tokens, for `trefoil token` and the tests: what an app's own server does with the shared secret.
public enum QiniuUserTokens {
    /// A token for `user` of the configured app, valid `ttl` seconds from `now`.
    public static func mint(settings: QiniuSettings, user: Int64, ttl: Int64, now: Int64) async throws -> String {
        let keys = await JWTKeyCollection().add(hmac: HMACKey(from: settings.jwtSecret), digestAlgorithm: .sha256)
        return try await keys.sign(QiniuUserClaims(user: user, appID: settings.appID, expires: now + ttl))
    }
}

/// Mints store tokens (`store_token`): what the service's login hands a user as its file token.
public enum QiniuStoreTokens {
    public static func mint(signer: LinkSigner, appID: String, user: Int64, expires: Int64) -> String {
        QiniuSigns(signer: signer, appID: appID).storeToken(user: user, expires: expires)
    }
}
