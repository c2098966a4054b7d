/// Latency samples in milliseconds and the summaries the report prints.
struct LatencySummary: Sendable, Codable {
    let count: Int
    let p50: Double
    let p90: Double
    let p99: Double
    let max: Double
    let mean: Double

    init(milliseconds samples: [Double]) {
        let sorted = samples.sorted()
        count = sorted.count
        p50 = Self.percentile(sorted, 0.50)
        p90 = Self.percentile(sorted, 0.90)
        p99 = Self.percentile(sorted, 0.99)
        max = sorted.last ?? 0
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
    }

    init(_ durations: [Duration]) {
        self.init(milliseconds: durations.map(\.milliseconds))
    }

    /// Nearest-rank percentile of sorted samples (0 for none).
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
    }
}

/// The median of repeated measurements (the middle one, or the mean of the two middle ones).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    var milliseconds: Double { seconds * 1_000 }
}

/// Throughput in MB/s (10^6 bytes per second).
func megabytesPerSecond(bytes: Int64, seconds: Double) -> Double {
    seconds > 0 ? Double(bytes) / seconds / 1e6 : 0
}
