import HTTPTypes
import Hummingbird
import NIOCore
import TrefoilFaceKit

/// Lets a request into the console's pages only with a live session, and a state-changing one only with that
/// session's CSRF token: the `csrf` field of a form, or the `X-CSRF-Token` header of a script's upload.
///
/// A GET without a session is sent to the sign-in page; anything else without one is 401, and a missing or wrong
/// token is 403, before the handler runs, so a refused request changes nothing.
struct ConsoleGate: RouterMiddleware {
    typealias Context = ConsoleRequestContext

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    /// A console form is a few short fields; a bigger body is no form of ours.
    static let maxFormBytes = 64 << 10

    let sessions: ConsoleSessions
    let pages: ConsolePages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.language = ConsoleLanguage(request)
        guard let id = request.cookies[ConsoleCookies.session]?.value, let session = sessions.session(id) else {
            if request.method == .get || request.method == .head { return ConsolePages.seeOther(ConsolePaths.signIn) }
            return ConsolePages.plain(.unauthorized, "sign in to the console first")
        }
        context.session = session
        guard request.method != .get, request.method != .head else { return try await next(request, context) }

        var given = request.headers[Self.csrfHeader]
        var request = request
        if ContentType(request.headers[.contentType] ?? "").isForm {
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: Self.maxFormBytes)
            } catch {
                return ConsolePages.plain(.contentTooLarge, "a console form is at most \(Self.maxFormBytes) bytes")
            }
            guard let fields = FormEncoding.decode(Substring(String(buffer: body))) else {
                return ConsolePages.plain(.badRequest, "the form is not valid application/x-www-form-urlencoded")
            }
            context.form = fields
            given = fields["csrf"]
            request.body = RequestBody(buffer: body)
        }
        guard let given, ConstantTime.equal(given, session.csrf) else {
            let data = ConsoleFrame.data(request, context, title: context.language.text("forbidden_title"))
                .merging(["message": context.language.text("csrf_refused"), "backLink": ConsolePaths.home]) { $1 }
            return pages.page("message", data, status: .forbidden)
        }
        return try await next(request, context)
    }
}
