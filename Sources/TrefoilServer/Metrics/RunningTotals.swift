import CoreMetrics
import Synchronization

/// Prometheus counters whose totals are kept elsewhere (the connection board's, the maintenance log's): each scrape
/// advances a counter by what its total grew since the scrape before.
///
/// swift-metrics counters only go up by an amount, so the last total seen is kept per series. Two scrapes at once
/// each take a disjoint part of the growth.
final class RunningTotals: Sendable {
    private let seen = Mutex<[String: Int64]>([:])

    /// Advances the counter `label` with `dimensions` to `total`; a total lower than the last one seen (a source that
    /// started again) advances it by nothing and is taken as the new base.
    func advance(_ label: String, _ dimensions: [(String, String)], to total: Int64, factory: any MetricsFactory) {
        let key = dimensions.reduce(label) { $0 + "\u{0}" + $1.0 + "=" + $1.1 }
        let growth = seen.withLock { seen -> Int64 in
            defer { seen[key] = total }
            return max(0, total - (seen[key] ?? 0))
        }
        Counter(label: label, dimensions: dimensions, factory: factory).increment(by: growth)
    }
}
