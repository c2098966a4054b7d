import Hummingbird

extension ConsoleSessions {
    /// Runs a form's `change`, keeps its message (or the failure's) for the next page, and sends the browser to
    /// `back`: redirect-after-post, so that reloading that page does not send the form again.
    func act(_ context: ConsoleRequestContext, back: String, _ change: () async throws -> String) async -> Response {
        var flash = Flash()
        do {
            flash.notice = try await change()
        } catch {
            flash.error = ConsoleFailure(error, language: context.language).message
        }
        if let session = context.session { self.flash(flash, for: session.id) }
        return ConsolePages.seeOther(back)
    }
}
