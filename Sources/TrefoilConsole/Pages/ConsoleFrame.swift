import Hummingbird

/// What every page's frame shows: the texts of its language, the title, the navigation, the CSRF token and the
/// flash a redirect left.
struct ConsoleFrame: Sendable {
    let sessions: ConsoleSessions

    enum Section: String {
        case overview, groups, users, spaces, health
    }

    func data(_ request: Request, _ context: ConsoleRequestContext, title: String, section: Section? = nil)
        -> [String: Any]
    {
        var data = Self.data(request, context, title: title)
        if let section { data["nav" + section.rawValue.prefix(1).uppercased() + section.rawValue.dropFirst()] = true }
        if let session = context.session, let flash = sessions.takeFlash(session.id) {
            data["notice"] = flash.notice
            data["error"] = flash.error
        }
        return data
    }

    /// The frame without a flash.
    static func data(_ request: Request, _ context: ConsoleRequestContext, title: String) -> [String: Any] {
        var data: [String: Any] = [
            "t": context.language.strings, "title": title, "signedIn": context.session != nil,
            "back": ConsoleFormat.query(request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")),
        ]
        if let session = context.session { data["csrf"] = session.csrf }
        return data
    }

    /// The page that says why something could not be shown or done.
    func failurePage(
        _ request: Request, _ context: ConsoleRequestContext, _ failure: ConsoleFailure, pages: ConsolePages
    ) -> Response {
        let t = context.language
        var data = self.data(
            request, context, title: failure.status == .notFound ? t.text("not_found_title") : t.text("failed_title"))
        data["message"] = failure.message
        data["backLink"] = ConsolePaths.overview
        return pages.page("message", data, status: failure.status)
    }
}
