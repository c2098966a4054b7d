import HTTPTypes
import Hummingbird
import Logging
import TrefoilConfiguration
import TrefoilCore
import TrefoilFaceKit
import TrefoilMetrics

/// The web console for admins at `/console/` (docs/console.md): the store's totals and the connected bots, every
/// group's files (browse, upload, create folders, rename, move, delete, download), the other spaces, and the store's
/// health. Server-rendered Mustache pages with one small script; sign-in with the access token (or
/// `console.password`) for a session cookie, and a CSRF token on every change.
public struct ConsoleFace: Face {
    public typealias Settings = ConsoleSettings

    let settings: ConsoleSettings
    let credential: ConsoleCredential
    let sessions: ConsoleSessions
    let pages: ConsolePages
    let statics: StaticFiles
    let signIn: SignInRoutes
    let groups: GroupPages
    let actions: GroupActions
    let spaces: SpacePages
    let downloads: ConsoleDownloads
    let recent: RecentEvents
    let overview: OverviewPage
    let health: HealthPage

    public init(settings: ConsoleSettings, context: FaceContext) {
        let store = context.store
        let sessions = ConsoleSessions(ttlSeconds: settings.sessionTTLSeconds, now: { store.now })
        let pages = ConsolePages(logger: context.logger)
        let frame = ConsoleFrame(sessions: sessions)
        self.settings = settings
        credential = ConsoleCredential(password: settings.password, accessToken: context.accessToken)
        self.sessions = sessions
        self.pages = pages
        statics = StaticFiles()
        signIn = SignInRoutes(
            credential: credential, sessions: sessions, throttle: SignInThrottle(now: { store.now }), pages: pages,
            sessionSeconds: Int(settings.sessionTTLSeconds))
        groups = GroupPages(store: store, pages: pages, frame: frame)
        actions = GroupActions(
            store: store, uploads: context.uploads, sessions: sessions,
            member: Member(id: settings.uploaderID, name: "console"),
            transfers: TransferMetrics(face: ConsoleFace.name, factory: context.metrics))
        spaces = SpacePages(store: store, pages: pages, frame: frame, sessions: sessions)
        downloads = ConsoleDownloads(store: store, sessions: sessions)
        let recent = RecentEvents(events: context.events, now: { store.now })
        self.recent = recent
        overview = OverviewPage(
            store: store, board: context.board, startedAt: context.startedAt, recent: recent, pages: pages, frame: frame
        )
        health = HealthPage(store: store, pages: pages, frame: frame)
    }

    public var prefix: String { ConsolePaths.home }

    public func routes() -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        let all = routes.group().add(middleware: SecurityHeaders<BasicRequestContext>())
        all.get("/static/:name") { _, context in statics.serve(context.parameters.get("name") ?? "") }

        let open = all.group(context: ConsoleRequestContext.self)
        open.get("/sign-in") { request, context in signIn.form(request, language(request, context)) }
        open.post("/sign-in") { request, context in await signIn.signIn(request, language(request, context)) }
        open.get("/lang") { request, context in signIn.language(request, context) }

        let gated = all.group(context: ConsoleRequestContext.self)
            .add(middleware: ConsoleGate(sessions: sessions, pages: pages))
        gated.get("/") { request, context in await overview.show(request, context) }
        gated.post("/sign-out") { request, context in signIn.signOut(request, context) }
        gated.get("/groups") { request, context in await groups.list(request, context) }
        gated.get("/group") { request, context in await groups.folder(request, context) }
        gated.get("/group/biggest") { request, context in await groups.biggest(request, context) }
        gated.get("/item") { request, context in await groups.item(request, context) }
        gated.post("/group/folder") { _, context in await actions.createFolder(context) }
        gated.post("/group/rename") { _, context in await actions.rename(context) }
        gated.post("/group/move") { _, context in await actions.move(context) }
        gated.post("/group/delete") { _, context in await actions.delete(context) }
        gated.put("/group/upload") { request, context in await actions.upload(request, context) }
        gated.get("/spaces") { request, context in await spaces.list(request, context) }
        gated.get("/space") { request, context in await spaces.space(request, context) }
        gated.post("/space/delete") { _, context in await spaces.delete(context) }
        gated.get("/health") { request, context in await health.show(request, context) }
        gated.post("/health/check") { _, context in await health.check(context) }
        gated.get("/**") { request, context in groups.notFound(request, context) }
        return routes
    }

    public var downloadRoutes: [any DownloadRoute] { [downloads] }

    public var openAccess: String? {
        guard credential.isOpen else { return nil }
        return "no access_token and no console.password are set: anyone who can reach the port could manage every"
            + " group's files in the console; set either to listen on other addresses"
    }

    public var logMetadata: Logger.Metadata {
        [
            "path": "/console/",
            "sign_in":
                "\(credential.isOpen ? "open (loopback only)" : credential.isPassword ? "console.password" : "access_token")",
        ]
    }

    private func language(_ request: Request, _ context: ConsoleRequestContext) -> ConsoleRequestContext {
        var context = context
        context.language = ConsoleLanguage(request)
        return context
    }
}
