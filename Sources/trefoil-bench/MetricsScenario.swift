import Foundation

/// `/metrics` on a store of many groups: how long a scrape takes (each one counts the store afresh), and whether the
/// metadata load slows while a scraper asks every second, as Prometheus would (at its shortest usual interval).
///
/// The store is seeded with `metricsGroups` groups of one file each before the server starts. The load is the
/// metadata row's (`get_group_file_system_info` over `/api`, same connections and depth), in windows alternating
/// without and with the scraper, so that drift of the machine falls on both alike.
enum MetricsScenario {
    static func run(_ context: BenchContext) async throws -> [ReportRow] {
        let sizes = context.sizes
        let url = context.server.base + "/metrics"
        context.log("/metrics with \(Format.count(sizes.metricsGroups)) groups: \(sizes.metricsScrapes) scrapes")
        try await checkScrape(url, groups: sizes.metricsGroups)
        var durations: [Double] = []
        for _ in 0..<sizes.metricsScrapes {
            let transfer = try await Curl.transfer([url], discardBody: true)
            guard transfer.httpCode == 200 else { throw BenchError("GET /metrics: HTTP \(transfer.httpCode)") }
            durations.append(transfer.seconds * 1_000)
        }
        let scrape = LatencySummary(milliseconds: durations)
        context.log("  scrape p50 \(Format.ms(scrape.p50)), p99 \(Format.ms(scrape.p99))")

        var quiet: [Double] = []
        var scraped: [Double] = []
        for _ in 0..<sizes.metricsWindows {
            quiet.append(try await metadataRate(context))
            scraped.append(try await withScraper(url) { try await metadataRate(context) })
        }
        let (without, with) = (median(quiet), median(scraped))
        let ratio = with / without
        context.log("  metadata: \(Format.rate(without)) without, \(Format.rate(with)) with a scrape every second")
        return [
            ReportRow(
                scenario: "`/metrics` scrape, \(Format.count(sizes.metricsGroups)) groups in the store",
                figure: "p50 \(Format.ms(scrape.p50)), p99 \(Format.ms(scrape.p99))", baseline: "—", ratio: "—",
                target: "p99 < 50 ms", met: scrape.p99 < 50,
                values: [
                    "p50_ms": scrape.p50, "p90_ms": scrape.p90, "p99_ms": scrape.p99, "max_ms": scrape.max,
                    "scrapes": Double(scrape.count), "groups": Double(sizes.metricsGroups),
                ],
                notes: "\(scrape.count) scrapes one after another, each a new curl connection (curl's time_total)"),
            ReportRow(
                scenario: "metadata over WS: `get_group_file_system_info` while `/metrics` is scraped every second",
                figure: Format.rate(with), baseline: "not scraped: \(Format.rate(without))",
                ratio: Format.ratio(ratio), target: "no measurable drop (≥ 0.95×)", met: ratio >= 0.95,
                values: ["figure_req_s": with, "baseline_req_s": without, "ratio": ratio],
                notes:
                    "medians of \(sizes.metricsWindows) windows each, alternating, \(sizes.metadataSeconds) s after "
                    + "\(sizes.warmupSeconds) s warm-up; \(Format.count(sizes.metricsGroups)) groups in the store"),
        ]
    }

    /// The scrape answers 200 and counts every seeded group.
    private static func checkScrape(_ url: String, groups: Int) async throws {
        let transfer = try await Curl.transfer([url])
        guard transfer.httpCode == 200 else { throw BenchError("GET /metrics: HTTP \(transfer.httpCode)") }
        let line = #"trefoil_store_spaces{kind="group"} "#
        let found = transfer.body.split(separator: "\n").first { $0.hasPrefix(line) }.map {
            Double($0.dropFirst(line.count)) ?? -1
        }
        guard found == Double(groups) else {
            throw BenchError("the scrape counts \(found.map { "\($0)" } ?? "no") groups, not \(groups)")
        }
    }

    /// Requests per second of the metadata row's load in one window.
    private static func metadataRate(_ context: BenchContext) async throws -> Double {
        let sizes = context.sizes
        let params = #"{"group_id":\#(BenchGroups.metricsFirst)}"#
        let outcome = try await WSLoad.run(
            url: context.server.webSocketBase + "/api", connections: sizes.metadataConnections,
            depth: sizes.metadataDepth, warmup: .seconds(sizes.warmupSeconds), duration: .seconds(sizes.metadataSeconds)
        ) { _, echo in
            #"{"action":"get_group_file_system_info","params":\#(params),"echo":\#(echo)}"#
        }
        if outcome.failures > 0 {
            throw BenchError("metadata under scrapes: \(outcome.failures) failed: \(outcome.firstFailure ?? "")")
        }
        guard outcome.completed > 0 else { throw BenchError("metadata under scrapes: no response inside the window") }
        return outcome.requestsPerSecond
    }

    /// Runs `body` while another task scrapes `url` once a second.
    private static func withScraper<T: Sendable>(_ url: String, _ body: () async throws -> T) async throws -> T {
        let scraper = Task {
            while !Task.isCancelled {
                let transfer = try await Curl.transfer([url], discardBody: true)
                guard transfer.httpCode == 200 else { throw BenchError("GET /metrics: HTTP \(transfer.httpCode)") }
                try await Task.sleep(for: .seconds(1))
            }
        }
        defer { scraper.cancel() }
        let result = try await body()
        scraper.cancel()
        if case .failure(let error) = await scraper.result, !(error is CancellationError) { throw error }
        return result
    }
}
