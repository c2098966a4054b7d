import Foundation

/// Paging through one folder of 100,000 files, 100 at a time, over WebSocket: the first pages against
/// the last ones (offset 99,900 and just before it). One connection, one request at a time, front and
/// back alternating, so each latency is the server's own time for that page.
///
/// The server keeps rendered listings until the next write (its listing cache holds 1,024), so asking
/// for the same two pages again and again would time the cache. Each request asks for a page not asked
/// for in the last `spread` requests on its side — offsets 0, 1, 2, … from the front and 99,900, 99,899,
/// … from the back — which the cache cannot hold: every answer is read from the store.
enum ListingScenario {
    static func run(_ context: BenchContext) async throws -> ReportRow {
        let sizes = context.sizes
        let group = BenchGroups.listing
        let deep = sizes.listingFiles - sizes.listingPage
        context.log("listing \(Format.count(sizes.listingFiles)) files: pages at 0 and \(Format.count(deep))")
        @Sendable func params(_ offset: Int) -> String {
            #"{"group_id":\#(group),"folder_id":"/","file_count":\#(sizes.listingPage),"start_index":\#(offset)}"#
        }
        try await checkPages(context, first: params(0), deep: params(deep))
        let spread = min(1500, deep / 2)
        let outcome = try await WSLoad.run(
            url: context.server.webSocketBase + "/api", connections: 1, depth: 1,
            warmup: .seconds(sizes.warmupSeconds), duration: .seconds(sizes.listingSeconds)
        ) { _, echo in
            let step = echo / 2 % spread
            let offset = echo % 2 == 0 ? step : deep - step
            return #"{"action":"get_group_files_by_folder","params":\#(params(offset)),"echo":\#(echo)}"#
        }
        if outcome.failures > 0 {
            throw BenchError("listing: \(outcome.failures) requests failed: \(outcome.firstFailure ?? "")")
        }
        let first = LatencySummary(outcome.latencies.filter { $0.echo % 2 == 0 }.map(\.latency))
        let last = LatencySummary(outcome.latencies.filter { $0.echo % 2 == 1 }.map(\.latency))
        guard first.count > 0, last.count > 0 else { throw BenchError("listing: no response inside the window") }
        let ratio = last.p99 / first.p99
        context.log(
            "  first page p50 \(Format.ms(first.p50)) p99 \(Format.ms(first.p99)); "
                + "offset \(deep): p50 \(Format.ms(last.p50)) p99 \(Format.ms(last.p99))")
        return ReportRow(
            scenario: "listing a folder of \(Format.count(sizes.listingFiles)) files, page of \(sizes.listingPage)",
            figure: "offset \(Format.count(deep)): p99 \(Format.ms(last.p99)) (p50 \(Format.ms(last.p50)))",
            baseline: "first page: p99 \(Format.ms(first.p99)) (p50 \(Format.ms(first.p50)))",
            ratio: Format.ratio(ratio), target: "deep ≤ 2× first, p99 < 10 ms",
            met: ratio <= 2 && last.p99 < 10 && first.p99 < 10,
            values: [
                "deep_p50_ms": last.p50, "deep_p99_ms": last.p99, "deep_max_ms": last.max,
                "first_p50_ms": first.p50, "first_p99_ms": first.p99, "first_max_ms": first.max, "ratio": ratio,
                "samples_per_page": Double(min(first.count, last.count)),
            ],
            notes:
                "\(first.count) + \(last.count) requests, one at a time, front and back alternating, "
                + "\(spread) different pages on each side (none answered from the listing cache)")
    }

    /// Both pages hold `page` files, and they are different files.
    private static func checkPages(_ context: BenchContext, first: String, deep: String) async throws {
        try await WSRPC.withConnection(url: context.server.webSocketBase + "/api") { client in
            try await checkPages(client, context: context, first: first, deep: deep)
        }
    }

    private static func checkPages(_ client: WSRPC, context: BenchContext, first: String, deep: String)
        async throws
    {
        let info = try await client.callOK(
            "get_group_file_system_info", params: #"{"group_id":\#(BenchGroups.listing)}"#)
        let count = (Envelope.dataField(info, "file_count") as? NSNumber)?.intValue ?? -1
        guard count == context.sizes.listingFiles else {
            throw BenchError("the listing group holds \(count) files, not \(context.sizes.listingFiles)")
        }
        var names: [Set<String>] = []
        for params in [first, deep] {
            let envelope = try await client.callOK("get_group_files_by_folder", params: params)
            let files = Envelope.dataField(envelope, "files") as? [[String: Any]] ?? []
            guard files.count == context.sizes.listingPage else {
                throw BenchError("a listing page held \(files.count) files, not \(context.sizes.listingPage)")
            }
            names.append(Set(files.compactMap { $0["file_id"] as? String }))
        }
        guard names[0].isDisjoint(with: names[1]) else { throw BenchError("the first and last pages overlap") }
    }
}
