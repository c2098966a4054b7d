import CoreMetrics
import Synchronization
import TrefoilMetrics

/// The counters a download answer moves, made once per series and kept: `trefoil_http_requests_total` by face and
/// status (`HTTPMetrics`' series, which the router's answers count too), and `trefoil_downloads_total` /
/// `trefoil_download_bytes_total` by face and kind, counted only here. Making them per answer was a registry lookup
/// under a lock for each of three counters, 3% of a small download's time in perf.
final class DownloadMetrics: Sendable {
    private struct Series: Hashable {
        let face: String
        let status: Int
        let kind: DownloadKind
    }

    private struct Counters {
        let requests: Counter
        let downloads: Counter
        let bytes: Counter
    }

    private let factory: any MetricsFactory
    private let counters = Mutex<[Series: Counters]>([:])

    init(factory: any MetricsFactory) { self.factory = factory }

    /// Counts an answer of `status` by `face`, and when `served` is set, a download of `kind` that sent that many
    /// bytes.
    func record(face: String, status: Int, kind: DownloadKind, served: Int64?) {
        let series = Series(face: face, status: status, kind: kind)
        let counters = self.counters.withLock { counters in
            if let made = counters[series] { return made }
            let transfer = [("face", face), ("kind", kind.rawValue)]
            let made = Counters(
                requests: HTTPMetrics.counter(face: face, route: "download", status: status, factory: factory),
                downloads: Counter(label: "trefoil_downloads_total", dimensions: transfer, factory: factory),
                bytes: Counter(label: "trefoil_download_bytes_total", dimensions: transfer, factory: factory))
            counters[series] = made
            return made
        }
        counters.requests.increment()
        if let served {
            counters.downloads.increment()
            counters.bytes.increment(by: max(0, served))
        }
    }
}
