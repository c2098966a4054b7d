import HTTPTypes
import Hummingbird
import Logging
import TrefoilConfiguration
import TrefoilCore
import TrefoilFaceKit
import TrefoilImaging
import TrefoilMedia

/// The Qiniu IM (MaxIM / Lanying IM) file face (docs/qiniu-im.md): upload tickets, the upload they allow,
/// forwarding without a copy, downloads with thumbnails, covers and voice formats, and avatars, under `/file`.
///
/// Every call but the upload itself carries `app_id` and `access-token` (a user's HS256 JWT, or an admin token that
/// may add `user_id` or `group_id`); the upload's credential is its ticket. Answers are `{code, message, data}`.
public struct QiniuFace: Face {
    public typealias Settings = QiniuSettings

    let settings: QiniuSettings
    let ticketRoutes: TicketRoutes
    let uploadRoute: UploadRoute
    let forwardRoute: ForwardRoute
    let downloads: QiniuDownloads

    public init(settings: QiniuSettings, context: FaceContext) {
        let store = context.store
        let auth = QiniuAuth(settings: settings, now: { store.now })
        let signs = QiniuSigns(signer: context.signer, appID: settings.appID)
        let tickets = TicketRoutes(
            settings: settings, auth: auth, signs: signs, signer: context.signer, publicURL: context.publicURL)
        self.settings = settings
        ticketRoutes = tickets
        uploadRoute = UploadRoute(settings: settings, context: context, tickets: tickets)
        forwardRoute = ForwardRoute(
            settings: settings, auth: auth, signs: signs, context: context, publicURL: context.publicURL)
        let media = MediaTool(
            ffmpegPath: settings.ffmpegPath.isEmpty ? nil : settings.ffmpegPath,
            limits: MediaLimits(timeout: .milliseconds(settings.ffmpegTimeoutMS)))
        downloads = QiniuDownloads(
            settings: settings, auth: auth, signs: signs, store: store,
            variants: QiniuVariants(
                store: store, thumbnailer: Thumbnailer(limits: ImageLimits(maxPixels: settings.thumbnailMaxPixels)),
                media: media))
    }

    public var prefix: String { QiniuPaths.prefix }

    public func routes() -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("/upload/avatar/user") { request, _ in await ticketRoutes.userAvatar(request) }
        routes.get("/upload/avatar/group") { request, _ in await ticketRoutes.groupAvatar(request) }
        routes.get("/upload/chat") { request, _ in await ticketRoutes.chat(request) }
        routes.get("/upload/forward") { request, _ in await forwardRoute.answer(request) }
        routes.post("/upload/put") { request, _ in await uploadRoute.post(request) }
        routes.put("/upload/put") { request, _ in await uploadRoute.put(request) }
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
            routes.on("/**", method: method) { _, _ in QiniuError.notFound("no such API").response }
        }
        return routes
    }

    public var downloadRoutes: [any DownloadRoute] { [downloads] }

    public var logMetadata: Logger.Metadata {
        ["paths": "/file/upload/…, /file/download/…", "upload_method": "\(settings.uploadMethod.rawValue)"]
    }
}
