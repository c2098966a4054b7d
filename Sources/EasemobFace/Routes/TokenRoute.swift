import Hummingbird
import TrefoilConfiguration
import TrefoilFaceKit
import TrefoilJSON

/// `POST …/token`: `{"grant_type": "client_credentials", "client_id", "client_secret", "ttl"?}` →
/// `{"access_token", "expires_in", "application"}`. The one call that needs no token.
struct TokenRoute: Sendable {
    let app: EasemobApp
    let settings: EasemobSettings
    let tokens: AppTokens
    let gate: CallGate

    func answer(_ request: Request) async -> Response {
        let call = EasemobCall(app: app, request: request)
        if let refusal = gate.refusal(authorization: nil, needsToken: false) { return call.failure(refusal) }
        let body: [String: JSONValue]
        switch await JSONBody.object(of: request) {
        case .success(let members): body = members
        case .failure(let error): return call.failure(error)
        }
        guard body["grant_type"]?.stringValue == "client_credentials" else {
            return call.failure(.illegalArgument("grant_type must be client_credentials"))
        }
        guard let id = body["client_id"]?.stringValue, let secret = body["client_secret"]?.stringValue,
            ConstantTime.equal(id, settings.clientID), ConstantTime.equal(secret, settings.clientSecret)
        else { return call.failure(.invalidGrant) }
        let ttl: Int64
        switch body["ttl"] {
        case nil, .null?: ttl = settings.tokenTTLSeconds
        case .int(let value)? where (0...ConfigBound.tenYearsSeconds).contains(value): ttl = value
        case .string(let text)? where Int64(text).map { (0...ConfigBound.tenYearsSeconds).contains($0) } == true:
            ttl = Int64(text)!
        default:
            return call.failure(.illegalArgument("ttl must be a number of seconds from 0 (never expires) to 315360000"))
        }
        let answer: JSONValue = [
            "access_token": .string(tokens.mint(ttl: ttl, now: gate.now())),
            "expires_in": .int(ttl),
            "application": .string(app.uuid),
        ]
        return EasemobCall.json(Array(answer.encoded()), status: .ok)
    }
}
