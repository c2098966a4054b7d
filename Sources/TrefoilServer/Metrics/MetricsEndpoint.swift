import HTTPTypes
import Hummingbird
import NIOCore
import OneBotV11

/// `GET /metrics` on the main listener, behind the gateway's access token exactly like the OneBot HTTP API
/// (`Authorization: Bearer|Token`, `?access_token=`; 401 without one, 403 with a wrong one).
///
/// A middleware in front of every route rather than a route: the path belongs to no face, so no face's
/// authentication (an app token, an open face) ever applies to it, and every other method on `/metrics` still reaches
/// the face that owns the root exactly as before.
struct MetricsEndpoint: RouterMiddleware {
    typealias Context = BasicRequestContext

    let metrics: GatewayMetrics
    let token: AccessToken
    /// Set when no token is configured but the listener is reachable from other hosts: the endpoint then refuses,
    /// since the scrape would be open to anyone.
    let refusal: String?

    static let path = "/metrics"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard request.method == .get, request.uri.path == Self.path else { return try await next(request, context) }
        context.coreContext.endpointPath.value = Self.path
        if let refusal {
            return .failure(OneBotError(retcode: 1403, key: "FORBIDDEN", message: refusal), status: .forbidden)
        }
        switch token.check(authorization: request.headers[.authorization], query: request.uri.query) {
        case .allowed: return await metrics.response()
        case .missing: return .failure(.unauthorized, status: .unauthorized)
        case .wrong: return .failure(.forbidden, status: .forbidden)
        }
    }
}
