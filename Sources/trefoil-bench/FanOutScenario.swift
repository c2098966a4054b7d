import Foundation

/// `group_upload` fan-out: many forward-WS clients on `/event` (`FanOutClients`, one thread), one uploader on `/api`. For each
/// upload, the time from its ack (the response frame read by the uploader) to the moment the last
/// client read the notice. Uploads go one at a time; the next starts once every client has the
/// previous notice.
enum FanOutScenario {
    static func run(_ context: BenchContext) async throws -> ReportRow {
        let sizes = context.sizes
        let clients = sizes.fanOutClients
        let warmups = 3
        let total = warmups + sizes.fanOutUploads
        context.log("group_upload fan-out: \(clients) clients, \(sizes.fanOutUploads) uploads")
        let ledger = FanOutLedger()
        let url = context.server.webSocketBase + "/event"
        let stop = Locked(false)
        let samples = try await withThrowingTaskGroup(of: Void.self) { group -> [Sample] in
            group.addTask {
                try await FanOutClients.run(url: url, count: clients, uploads: total, ledger: ledger, stop: stop)
            }
            do {
                try await ledger.waitForConnections(clients, timeout: .seconds(30))
                let samples = try await upload(context, ledger: ledger, clients: clients, warmups: warmups)
                // The clients leave once each has seen every notice.
                try await group.waitForAll()
                return samples
            } catch {
                stop.withLock { $0 = true }
                group.cancelAll()
                throw error
            }
        }
        let ackToLast = LatencySummary(milliseconds: samples.map(\.ackToLast))
        let ackToFirst = LatencySummary(milliseconds: samples.map(\.ackToFirst))
        let sendToLast = LatencySummary(milliseconds: samples.map(\.sendToLast))
        context.log(
            "  ack → last receipt: p50 \(Format.ms(ackToLast.p50)), p99 \(Format.ms(ackToLast.p99)); "
                + "request → last: p99 \(Format.ms(sendToLast.p99))")
        return ReportRow(
            scenario: "`group_upload` fan-out to \(Format.count(clients)) forward-WS clients",
            figure: "ack → last receipt: p50 \(Format.ms(ackToLast.p50)), p99 \(Format.ms(ackToLast.p99))",
            baseline: "—", ratio: "—", target: "p99 < 50 ms", met: ackToLast.p99 < 50,
            values: [
                "p50_ms": ackToLast.p50, "p99_ms": ackToLast.p99, "max_ms": ackToLast.max,
                "ack_to_first_p50_ms": ackToFirst.p50, "ack_to_first_p99_ms": ackToFirst.p99,
                "request_to_last_p50_ms": sendToLast.p50, "request_to_last_p99_ms": sendToLast.p99,
                "uploads": Double(samples.count), "clients": Double(clients),
            ],
            notes: "negative values: the notice reached a client before the ack reached the uploader")
    }

    struct Sample {
        let ackToLast: Double
        let ackToFirst: Double
        let sendToLast: Double
    }

    /// Uploads tiny files one by one and times each one's notices.
    private static func upload(_ context: BenchContext, ledger: FanOutLedger, clients: Int, warmups: Int)
        async throws -> [Sample]
    {
        try await WSRPC.withConnection(url: context.server.webSocketBase + "/api") { uploader in
            let clock = ContinuousClock()
            var samples: [Sample] = []
            for index in 0..<(warmups + context.sizes.fanOutUploads) {
                let content = Data("fan-out upload \(index) \(UUID())\n".utf8).base64EncodedString()
                let params =
                    #"{"group_id":\#(BenchGroups.fanOut),"file":"base64://\#(content)","name":"fanout-\#(index).txt"}"#
                let sent = clock.now
                let reply = try await uploader.callTimed("upload_group_file", params: params)
                guard let envelope = Envelope.parse(reply.text), envelope["status"] as? String == "ok",
                    let fileID = Envelope.dataField(envelope, "file_id") as? String
                else { throw BenchError("fan-out upload failed: \(reply.text.prefix(300))") }
                let receipts = try await ledger.waitForReceipts(of: fileID, count: clients, timeout: .seconds(15))
                if index >= warmups {
                    samples.append(
                        Sample(
                            ackToLast: (receipts.last - reply.receivedAt).milliseconds,
                            ackToFirst: (receipts.first - reply.receivedAt).milliseconds,
                            sendToLast: (receipts.last - sent).milliseconds))
                }
            }
            return samples
        }
    }

    /// The `file.id` of a `group_upload` notice, found without decoding the JSON.
    static func noticeFileID(_ text: String) -> String? {
        guard let key = text.range(of: #""id":""#) else { return nil }
        let rest = text[key.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}

/// Which clients are connected and when each notice reached each client.
final class FanOutLedger: Sendable {
    struct Receipts {
        var count = 0
        var first: ContinuousClock.Instant
        var last: ContinuousClock.Instant
    }

    private struct State {
        var connections = 0
        var receipts: [String: Receipts] = [:]
    }

    private let state = Locked(State())

    func connected() { state.withLock { $0.connections += 1 } }

    func record(_ fileID: String, at instant: ContinuousClock.Instant) {
        state.withLock { state in
            if var entry = state.receipts[fileID] {
                entry.count += 1
                entry.first = min(entry.first, instant)
                entry.last = max(entry.last, instant)
                state.receipts[fileID] = entry
            } else {
                state.receipts[fileID] = Receipts(count: 1, first: instant, last: instant)
            }
        }
    }

    /// Polls every millisecond (the receipts carry their own timestamps, so polling adds nothing to
    /// the figures).
    func waitForConnections(_ count: Int, timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while state.withLock({ $0.connections }) < count {
            guard clock.now < deadline else {
                let connected = state.withLock { $0.connections }
                throw BenchError("only \(connected) of \(count) event clients connected")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    func waitForReceipts(of fileID: String, count: Int, timeout: Duration) async throws -> Receipts {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let entry = state.withLock { $0.receipts[fileID] }
            if let entry, entry.count >= count { return entry }
            guard clock.now < deadline else {
                throw BenchError("only \(entry?.count ?? 0) of \(count) clients got the notice for \(fileID)")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
