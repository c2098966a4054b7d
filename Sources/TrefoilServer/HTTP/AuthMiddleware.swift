import Hummingbird
import OneBotV11

/// Refuses API requests without the access token: 401 when none was presented, 403 when it is wrong.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let token: AccessToken

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        switch token.check(authorization: request.headers[.authorization], query: request.uri.query) {
        case .allowed: return try await next(request, context)
        case .missing: return .failure(.unauthorized, status: .unauthorized)
        case .wrong: return .failure(.forbidden, status: .forbidden)
        }
    }
}
