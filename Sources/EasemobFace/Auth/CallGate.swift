import HTTPTypes
import Hummingbird
import TrefoilCore

/// What every call passes before it is served, routes and downloads alike: the app's rate limit, then (on every
/// call but the token call) its app token.
struct CallGate: Sendable {
    let tokens: AppTokens
    let limiter: RateLimiter?
    /// The store's clock (Unix seconds), which token expiry is measured on.
    let now: @Sendable () -> Int64

    /// Why the call is refused, or nil.
    func refusal(authorization: String?, needsToken: Bool = true) -> EasemobError? {
        if let limiter, !limiter.admit() { return .rateLimited }
        guard needsToken else { return nil }
        switch tokens.check(authorization: authorization, now: now()) {
        case .valid: return nil
        case .missing: return .noToken
        case .corrupt: return .corruptToken
        case .expired: return .expiredToken
        }
    }
}

/// Refuses, in the service's format, a call that its gate refuses.
struct EasemobAuthMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let gate: CallGate
    let app: EasemobApp

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if let refusal = gate.refusal(authorization: request.headers[.authorization]) {
            return EasemobCall(app: app, request: request).failure(refusal)
        }
        return try await next(request, context)
    }
}
