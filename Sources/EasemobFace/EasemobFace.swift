import HTTPTypes
import Hummingbird
import Logging
import TrefoilConfiguration
import TrefoilCore
import TrefoilFaceKit
import TrefoilImaging

/// The Easemob / Agora Chat REST face (docs/easemob.md): app tokens, chat files with access secrets and
/// thumbnails, and a group's share files and announcement, on the same store as every other face.
///
/// Routes live under `/{org_name}/{app_name}` and, with an Agora App ID, `/app-id/{app_id}`. Every call but
/// `POST …/token` needs `Authorization: Bearer <app token>`; answers and errors have the service's shapes.
public struct EasemobFace: Face {
    public typealias Settings = EasemobSettings

    let settings: EasemobSettings
    let app: EasemobApp
    let gate: CallGate
    let tokenRoute: TokenRoute
    let chatFiles: ChatFileRoutes
    let shareFiles: ShareFileRoutes
    let announcements: AnnouncementRoutes
    let downloads: EasemobDownloads

    public init(settings: EasemobSettings, context: FaceContext) {
        let app = EasemobApp(settings: settings, publicURL: context.publicURL)
        let tokens = AppTokens(signer: context.signer, settings: settings)
        let store = context.store
        let gate = CallGate(
            tokens: tokens,
            limiter: settings.callsPerSecond > 0 ? RateLimiter(callsPerSecond: settings.callsPerSecond) : nil,
            now: { store.now })
        self.settings = settings
        self.app = app
        self.gate = gate
        tokenRoute = TokenRoute(app: app, settings: settings, tokens: tokens, gate: gate)
        chatFiles = ChatFileRoutes(app: app, settings: settings, context: context)
        shareFiles = ShareFileRoutes(app: app, settings: settings, context: context)
        announcements = AnnouncementRoutes(app: app, context: context)
        let thumbnails = Thumbnails(
            store: store, thumbnailer: Thumbnailer(limits: ImageLimits(maxPixels: settings.thumbnailMaxPixels)),
            maxPixels: settings.thumbnailMaxPixels)
        downloads = EasemobDownloads(
            app: app, gate: gate, store: store, signer: context.signer, thumbnails: thumbnails,
            defaultBox: settings.defaultBox)
    }

    public var prefix: String { app.prefixes[0] }
    public var prefixes: [String] { app.prefixes }

    public func routes() -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.post("/token") { request, _ in await tokenRoute.answer(request) }
        let api = routes.group().add(middleware: EasemobAuthMiddleware(gate: gate, app: app))
        api.post("/chatfiles") { request, _ in await chatFiles.upload(request) }
        api.get("/chatgroups/:group/share_files") { request, context in
            await shareFiles.list(request, group: Substring(context.parameters.get("group") ?? ""))
        }
        api.post("/chatgroups/:group/share_files") { request, context in
            await shareFiles.upload(request, group: Substring(context.parameters.get("group") ?? ""))
        }
        api.delete("/chatgroups/:group/share_files/:file") { request, context in
            await shareFiles.delete(
                request, group: Substring(context.parameters.get("group") ?? ""),
                file: Substring(context.parameters.get("file") ?? ""))
        }
        api.get("/chatgroups/:group/announcement") { request, context in
            await announcements.get(request, group: Substring(context.parameters.get("group") ?? ""))
        }
        api.post("/chatgroups/:group/announcement") { request, context in
            await announcements.set(request, group: Substring(context.parameters.get("group") ?? ""))
        }
        // Everything else under the app's paths, and any other method on a path above, is the service's 404, not the
        // router's plain one.
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch]
        let served: [(String, [HTTPRequest.Method])] = [
            ("/chatfiles", [.post]), ("/chatgroups/:group/share_files", [.get, .post]),
            ("/chatgroups/:group/share_files/:file", [.get, .delete]),
            ("/chatgroups/:group/announcement", [.get, .post]),
            ("/**", []),
        ]
        for (path, handled) in served {
            for method in methods where !handled.contains(method) {
                api.on(RouterPath(path), method: method) { request, _ in
                    EasemobCall(app: app, request: request).failure(.noSuchAPI)
                }
            }
        }
        for method in methods where method != .post {
            routes.on("/token", method: method) { request, _ in
                EasemobCall(app: app, request: request).failure(.noSuchAPI)
            }
        }
        return routes
    }

    public var downloadRoutes: [any DownloadRoute] { [downloads] }

    public var logMetadata: Logger.Metadata {
        ["paths": "\(app.prefixes.map { $0 + "/" }.joined(separator: ", "))"]
    }
}
