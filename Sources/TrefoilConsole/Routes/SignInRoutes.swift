import HTTPTypes
import Hummingbird
import NIOCore
import TrefoilFaceKit

/// Signing in and out, and the language switch: the routes a browser reaches without a session (but sign-out).
struct SignInRoutes: Sendable {
    let credential: ConsoleCredential
    let sessions: ConsoleSessions
    let throttle: SignInThrottle
    let pages: ConsolePages
    let sessionSeconds: Int

    func form(_ request: Request, _ context: ConsoleRequestContext) -> Response {
        page(request, context, error: nil, status: .ok)
    }

    func signIn(_ request: Request, _ context: ConsoleRequestContext) async -> Response {
        let body = try? await request.body.collect(upTo: ConsoleGate.maxFormBytes)
        let fields = body.flatMap { FormEncoding.decode(Substring(String(buffer: $0))) } ?? [:]
        guard throttle.admits else {
            return page(request, context, error: context.language.text("sign_in_throttled"), status: .tooManyRequests)
        }
        guard credential.accepts(fields["token"] ?? "") else {
            throttle.failed()
            return page(request, context, error: context.language.text("sign_in_wrong"), status: .unauthorized)
        }
        let session = sessions.open()
        var response = ConsolePages.seeOther(ConsolePaths.overview)
        response.setCookie(ConsoleCookies.session(session.id, maxAge: sessionSeconds, request: request))
        return response
    }

    /// Behind the gate, so that another site cannot sign an admin out.
    func signOut(_ request: Request, _ context: ConsoleRequestContext) -> Response {
        if let session = context.session { sessions.close(session.id) }
        var response = ConsolePages.seeOther(ConsolePaths.signIn)
        response.setCookie(ConsoleCookies.expiredSession(request: request))
        return response
    }

    /// `GET /console/lang?to=zh&back=/console/groups`: keeps the choice in the `lang` cookie and goes back to the
    /// page it was made on (only a console page: never another site).
    func language(_ request: Request, _ context: ConsoleRequestContext) -> Response {
        let query = request.uri.queryParameters
        let back = query["back"].map(String.init) ?? ""
        let target = back.hasPrefix(ConsolePaths.home) && !back.contains("\\") ? back : ConsolePaths.overview
        var response = ConsolePages.seeOther(target)
        if let language = query["to"].flatMap({ ConsoleLanguage(rawValue: String($0)) }) {
            response.setCookie(ConsoleCookies.language(language, request: request))
        }
        return response
    }

    private func page(
        _ request: Request, _ context: ConsoleRequestContext, error: String?, status: HTTPResponse.Status
    ) -> Response {
        var data = ConsoleFrame.data(request, context, title: context.language.text("sign_in"))
        data["openAccess"] = credential.isOpen
        data["usesPassword"] = credential.isPassword
        if let error { data["error"] = error }
        return pages.page("sign-in", data, status: status)
    }
}
