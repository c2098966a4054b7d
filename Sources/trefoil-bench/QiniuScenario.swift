import Foundation

/// The Qiniu IM face's rows: upload tickets issued per second against OneBot's `get_version_info` over HTTP, and a
/// ticketed upload against OneBot's multipart upload of the same file, in the same run on the same server.
enum QiniuScenario {
    static let appID = "dbench"
    static let secret = "bench-secret-of-at-least-thirty-two-bytes-long"

    /// The section the server's config gets when this scenario runs (older binaries do not know it).
    static let configSection = """
        "qiniu_im": {
            "enable": true, "app_id": "\(appID)", "jwt_secret": "\(secret)", "video_max_bytes": 1073741824
          }
        """

    static func run(_ context: BenchContext, binary: String) async throws -> [ReportRow] {
        let minted = try await ChildProcess.run(
            binary, ["token", "--config", context.server.configPath, "--user", "7", "--ttl", "86400"])
        let token = minted.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard minted.status == 0, !token.isEmpty else {
            throw BenchError("trefoil token failed: \(minted.errorOutput)")
        }
        return [
            try await tickets(context, token: token),
            try await upload(context, token: token),
        ]
    }

    private static func tickets(_ context: BenchContext, token: String) async throws -> ReportRow {
        let sizes = context.sizes
        let ticket =
            "GET /file/upload/chat?file_type=100&to_id=8&to_type=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "app_id: \(appID)\r\naccess-token: \(token)\r\n\r\n"
        let version = "GET /get_version_info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        context.log("upload tickets vs get_version_info over HTTP: \(sizes.httpLoadConnections) connections, twice")
        let (figures, baseline) = try await HTTPLoad.alternating(
            context, request: .init(port: context.server.port, head: ticket, bytes: nil),
            baseline: .init(port: context.server.port, head: version, bytes: nil)
        ) { "  tickets \(Format.rate($0)), get_version_info \(Format.rate($1))" }
        return EasemobScenario.compared(
            "Qiniu IM upload tickets", figures, against: baseline, named: "`get_version_info` over HTTP",
            format: Format.rate, unit: "rps", target: "≥ 0.5×", met: { $0 >= 0.5 },
            notes: "median of 2 windows each, alternating; keep-alive GETs with a user token (HS256 JWT)")
    }

    private static func upload(_ context: BenchContext, token: String) async throws -> ReportRow {
        let bytes = context.sizes.ticketUploadBytes
        let size = BenchSizes.describe(bytes: bytes)
        let file = try context.workspace.testFile("ticketed.bin", bytes: bytes, seed: 13)
        let runs = context.sizes.easemobRepetitions
        context.log("Qiniu IM ticketed upload: \(size), \(runs)× against OneBot multipart")
        var figures: [Double] = []
        var baseline: [Double] = []
        for run in 0..<runs {
            let issued = try await Curl.transfer([
                "-H", "app_id: \(appID)", "-H", "access-token: \(token)",
                "\(context.server.base)/file/upload/chat?file_type=103&to_id=8&to_type=1",
            ])
            guard let data = Envelope.parse(issued.body)?["data"] as? [String: Any],
                let uploadURL = data["upload_url"] as? String, let fields = data["oss_body_param"] as? [String: String]
            else { throw BenchError("ticket: HTTP \(issued.httpCode): \(issued.body.prefix(300))") }
            await Workspace.sync()
            let form = fields.sorted { $0.key < $1.key }.flatMap { ["-F", "\($0.key)=\($0.value)"] }
            let transfer = try await Curl.transfer(
                form + ["-F", "file=@\(file);type=application/octet-stream", uploadURL])
            guard transfer.httpCode == 200 else {
                throw BenchError("ticketed upload: HTTP \(transfer.httpCode): \(transfer.body.prefix(300))")
            }
            figures.append(megabytesPerSecond(bytes: bytes, seconds: transfer.seconds))
            await Workspace.sync()
            baseline.append(
                try await MultipartScenario.oneBotUpload(context, file: file, bytes: bytes, name: "ticket-\(run).bin"))
            context.log(
                "  run \(run + 1): ticketed \(Format.mbps(figures.last!)), OneBot \(Format.mbps(baseline.last!))")
        }
        context.workspace.remove(file)
        return EasemobScenario.compared(
            "Qiniu IM ticketed upload (\(size))", figures, against: baseline, named: "OneBot multipart upload",
            format: Format.mbps, unit: "mb_s", target: "≥ 0.9×", met: { $0 >= 0.9 },
            notes: "median of \(runs), alternating; curl -F with the ticket's fields, file last")
    }
}
