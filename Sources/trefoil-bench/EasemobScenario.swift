import Foundation

/// The Easemob face's rows: a chat-file upload against OneBot's multipart upload of the same file, a thumbnail
/// made on first request against the `vipsthumbnail` command on the same image, and a thumbnail already made
/// against a plain download of a 10 KB file, all in the same run on the same server.
enum EasemobScenario {
    static let org = "bench"
    static let app = "files"
    static let clientID = "bench-client"
    static let clientSecret = "bench-secret"
    /// `/bench/files`
    static var prefix: String { "/\(org)/\(app)" }

    /// The section the server's config gets when this scenario runs (older binaries do not know it).
    static let configSection = """
        "easemob": {
            "enable": true, "org_name": "\(org)", "app_name": "\(app)", "client_id": "\(clientID)",
            "client_secret": "\(clientSecret)", "chat_file_max_bytes": 10485760
          }
        """

    static func run(_ context: BenchContext) async throws -> [ReportRow] {
        let token = try await token(context)
        let sizes = context.sizes
        let file = try context.workspace.testFile("chatfile.bin", bytes: sizes.chatFileBytes, seed: 7)
        let image = context.workspace.filesDir + "/photo-12mp.jpg"
        context.log("making a 4000 × 3000 JPEG with vips")
        let made = try await ChildProcess.run("vips", ["gaussnoise", image, "4000", "3000"])
        guard made.status == 0 else { throw BenchError("vips gaussnoise failed: \(made.errorOutput)") }
        await Workspace.sync()
        return [
            try await upload(context, file: file, token: token),
            try await firstThumbnail(context, image: image, token: token),
            try await derivedThumbnail(context, image: image, token: token),
        ]
    }

    /// `POST /bench/files/token`.
    private static func token(_ context: BenchContext) async throws -> String {
        let body =
            #"{"grant_type":"client_credentials","client_id":"\#(clientID)","client_secret":"\#(clientSecret)"}"#
        let transfer = try await Curl.transfer([
            "-H", "Content-Type: application/json", "-d", body, "\(context.server.base)\(prefix)/token",
        ])
        guard transfer.httpCode == 200, let token = Envelope.parse(transfer.body)?["access_token"] as? String else {
            throw BenchError("POST /token: HTTP \(transfer.httpCode): \(transfer.body.prefix(300))")
        }
        return token
    }

    /// Uploads `file` as a chat file; returns its uuid and curl's timing.
    private static func chatFile(
        _ context: BenchContext, file: String, token: String, headers: [String] = []
    ) async throws -> (uuid: String, seconds: Double) {
        let transfer = try await Curl.transfer(
            ["-H", "Authorization: Bearer \(token)"] + headers.flatMap { ["-H", $0] }
                + ["-F", "file=@\(file);type=application/octet-stream", "\(context.server.base)\(prefix)/chatfiles"])
        guard transfer.httpCode == 200,
            let entities = Envelope.parse(transfer.body)?["entities"] as? [[String: Any]],
            let uuid = entities.first?["uuid"] as? String
        else { throw BenchError("POST /chatfiles: HTTP \(transfer.httpCode): \(transfer.body.prefix(300))") }
        return (uuid, transfer.seconds)
    }

    private static func upload(_ context: BenchContext, file: String, token: String) async throws -> ReportRow {
        let bytes = context.sizes.chatFileBytes
        let size = BenchSizes.describe(bytes: bytes)
        let runs = context.sizes.easemobRepetitions
        context.log("Easemob chat-file upload: \(size), \(runs)× against OneBot multipart")
        var figures: [Double] = []
        var baseline: [Double] = []
        for run in 0..<runs {
            await Workspace.sync()
            let chat = try await chatFile(context, file: file, token: token)
            figures.append(megabytesPerSecond(bytes: bytes, seconds: chat.seconds))
            await Workspace.sync()
            baseline.append(
                try await MultipartScenario.oneBotUpload(context, file: file, bytes: bytes, name: "chat-\(run).bin"))
            context.log(
                "  run \(run + 1): chatfiles \(Format.mbps(figures.last!)), OneBot \(Format.mbps(baseline.last!))")
        }
        return compared(
            "Easemob chat-file upload (\(size))", figures, against: baseline, named: "OneBot multipart upload",
            format: Format.mbps, unit: "mb_s", target: "≥ 0.9×", met: { $0 >= 0.9 },
            notes: "median of \(runs), alternating; curl -F")
    }

    /// Each run asks a box of its own (170 + run), so each request makes a new thumbnail of the same blob.
    private static func firstThumbnail(_ context: BenchContext, image: String, token: String) async throws
        -> ReportRow
    {
        let runs = context.sizes.easemobRepetitions
        context.log("thumbnail of a 12 MP JPEG on first request, \(runs)× against vipsthumbnail")
        var figures: [Double] = []
        var baseline: [Double] = []
        for run in 0..<runs {
            let side = 170 + run
            let upload = try await chatFile(
                context, file: image, token: token, headers: ["thumbnail-width: \(side)", "thumbnail-height: \(side)"])
            let transfer = try await Curl.transfer(
                [
                    "-H", "Authorization: Bearer \(token)", "-H", "thumbnail: true",
                    "\(context.server.base)\(prefix)/chatfiles/\(upload.uuid)",
                ], discardBody: true)
            guard transfer.httpCode == 200 else { throw BenchError("thumbnail GET: HTTP \(transfer.httpCode)") }
            figures.append(transfer.seconds * 1000)
            let output = context.workspace.filesDir + "/vipsthumbnail-\(run).jpg"
            let command = try await ChildProcess.run(
                "vipsthumbnail", [image, "-s", "\(side)x\(side)", "-o", output])
            guard command.status == 0 else { throw BenchError("vipsthumbnail failed: \(command.errorOutput)") }
            baseline.append(command.elapsed.milliseconds)
            context.log(
                "  run \(run + 1): trefoil \(Format.ms(figures.last!)), vipsthumbnail \(Format.ms(baseline.last!))")
        }
        return compared(
            "thumbnail of a 12 MP JPEG, first request", figures, against: baseline, named: "`vipsthumbnail` command",
            format: Format.ms, unit: "ms", target: "≤ 1.5×", met: { $0 <= 1.5 },
            notes: "median of \(runs); curl time_total vs the command's wall time (process start included)")
    }

    private static func derivedThumbnail(_ context: BenchContext, image: String, token: String) async throws
        -> ReportRow
    {
        let sizes = context.sizes
        let small = try context.workspace.testFile("small-10k.bin", bytes: 10_240, seed: 11)
        let plain = try await chatFile(context, file: small, token: token).uuid
        let photo = try await chatFile(context, file: image, token: token).uuid
        let thumbPath = "\(prefix)/chatfiles/\(photo)"
        // The first request makes the thumbnail; its size is what every later answer must carry.
        let made = try await Curl.transfer(
            ["-H", "Authorization: Bearer \(token)", "-H", "thumbnail: true", context.server.base + thumbPath],
            discardBody: true)
        guard made.httpCode == 200 else { throw BenchError("thumbnail GET: HTTP \(made.httpCode)") }
        func request(_ path: String, thumbnail: Bool) -> String {
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
                + (thumbnail ? "thumbnail: true\r\n" : "") + "\r\n"
        }
        context.log(
            "derived thumbnail (\(made.bytesDownloaded) bytes) vs a 10 KB download: \(sizes.httpLoadConnections) "
                + "connections, \(sizes.httpLoadSeconds) s each, twice")
        let (figures, baseline) = try await HTTPLoad.alternating(
            context,
            request: .init(
                port: context.server.port, head: request(thumbPath, thumbnail: true), bytes: Int(made.bytesDownloaded)),
            baseline: .init(
                port: context.server.port, head: request("\(prefix)/chatfiles/\(plain)", thumbnail: false),
                bytes: 10_240)
        ) { "  trefoil thumbnail \(Format.rate($0)), 10 KB file \(Format.rate($1))" }
        return compared(
            "thumbnail request, already made", figures, against: baseline, named: "download of a 10 KB chat file",
            format: Format.rate, unit: "rps", target: "≥ 0.8×", met: { $0 >= 0.8 },
            notes: "median of 2 windows each, alternating; keep-alive GETs, \(sizes.httpLoadConnections) connections")
    }

    /// A row of the medians of `figures` and `baseline` and their ratio, judged by `met`.
    static func compared(
        _ scenario: String, _ figures: [Double], against baseline: [Double], named baselineName: String,
        format: (Double) -> String, unit: String, target: String, met: (Double) -> Bool, notes: String
    ) -> ReportRow {
        let figure = median(figures)
        let reference = median(baseline)
        let ratio = figure / reference
        return ReportRow(
            scenario: scenario, figure: format(figure), baseline: "\(baselineName): \(format(reference))",
            ratio: Format.ratio(ratio), target: target, met: met(ratio),
            values: ["figure_\(unit)": figure, "baseline_\(unit)": reference, "ratio": ratio]
                .merging(Runs.values(figures, baseline)) { $1 },
            notes: notes)
    }
}
