import CoreMetrics
import HTTPTypes
import Hummingbird
import TrefoilFaceKit

/// Counts every request the router answers (`trefoil_http_requests_total`) by the face that owns its path, the route
/// that matched it and the status sent.
///
/// The route is the pattern the router matched (`/{action}`, `/<org>/<app>/chatfiles`), never the path itself, so that
/// no caller can grow the label set; a path no route matches counts as `unmatched`. Downloads are answered before the
/// router and counted by `DownloadHandler`; WebSocket handshakes that are granted never reach it.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let faces: MountedFaces
    let factory: any MetricsFactory

    /// The gateway's own routes, counted under face `gateway` whichever face owns the root.
    static let gatewayRoutes: Set<String> = ["/health", "/metrics"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            let response = try await next(request, context)
            record(request, context: context, status: response.status)
            return response
        } catch {
            record(request, context: context, status: (error as? any HTTPResponseError)?.status ?? .internalServerError)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: HTTPResponse.Status) {
        let route = context.endpointPath ?? "unmatched"
        let face =
            Self.gatewayRoutes.contains(route)
            ? "gateway" : faces.owner(of: Substring(request.uri.path)).map { type(of: $0).name } ?? "none"
        HTTPMetrics.request(face: face, route: route, status: status.code, factory: factory)
    }
}

/// The one series every HTTP answer is counted in, whether the router or the download pipeline wrote it.
enum HTTPMetrics {
    static func request(face: String, route: String, status: Int, factory: any MetricsFactory) {
        counter(face: face, route: route, status: status, factory: factory).increment()
    }

    /// The series' counter for one face, route and status (`DownloadMetrics` keeps the ones it makes).
    static func counter(face: String, route: String, status: Int, factory: any MetricsFactory) -> Counter {
        Counter(
            label: "trefoil_http_requests_total",
            dimensions: [("face", face), ("route", route), ("status", String(status))], factory: factory)
    }
}
