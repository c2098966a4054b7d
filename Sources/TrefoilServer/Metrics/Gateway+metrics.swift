import Hummingbird
import OneBotV11
import ServiceLifecycle

extension Gateway {
    /// Counts the router's requests and, unless `metrics.listen_port` moves it to a listener of its own, serves
    /// `/metrics` on the main listener. Added before every route, so that every request is counted.
    func addMetrics(to router: Router<BasicRequestContext>, faces: MountedFaces) {
        guard config.metrics.enable else { return }
        router.add(middleware: HTTPMetricsMiddleware(faces: faces, factory: metrics.factory))
        guard config.metrics.listenPort == 0 else { return }
        router.add(
            middleware: MetricsEndpoint(
                metrics: metrics, token: AccessToken(config.onebot11.accessToken), refusal: metricsRefusal))
    }

    /// Why the main listener refuses every scrape, or nil. Without a token the scrape is as open as the API: fine on
    /// loopback (where a face without a credential already keeps the listener), not on an address other hosts reach.
    var metricsRefusal: String? {
        guard config.onebot11.accessToken.isEmpty, !Self.isLoopback(bindHost) else { return nil }
        return "no access_token is set and the listener is reachable from other hosts: set access_token, or serve "
            + "/metrics on loopback with metrics.listen_port"
    }

    /// The listener of `metrics.listen_port`: `/metrics` alone, on 127.0.0.1, without a token (whoever can reach
    /// loopback is on this host); nil when the port is 0.
    func metricsListener() -> (any Service)? {
        guard config.metrics.enable, config.metrics.listenPort > 0 else { return nil }
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: HTTPMetricsMiddleware(faces: MountedFaces([]), factory: metrics.factory))
        let metrics = self.metrics
        router.get(RouterPath(MetricsEndpoint.path)) { _, _ in await metrics.response() }
        return Application(
            router: router,
            configuration: .init(
                address: .hostname("127.0.0.1", port: config.metrics.listenPort), serverName: "trefoil-metrics"),
            logger: logger)
    }

    /// Where the scrape is, on the start-up log, and why not when the main listener refuses it.
    func logMetricsEndpoint() {
        guard config.metrics.enable else { return }
        if config.metrics.listenPort > 0 {
            logger.info(
                "metrics",
                metadata: ["address": "http://127.0.0.1:\(config.metrics.listenPort)/metrics", "token": "none"])
        } else if let refusal = metricsRefusal {
            logger.warning("metrics: /metrics refuses every scrape: \(refusal)")
        } else {
            logger.info(
                "metrics",
                metadata: [
                    "address": "http://\(bindHost):\(config.server.port)/metrics",
                    "token": "\(config.onebot11.accessToken.isEmpty ? "none (loopback)" : "access_token")",
                ])
        }
    }
}
