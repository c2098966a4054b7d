import Foundation

/// Downloads of many small files (issue 18): distinct 10,240-byte files uploaded over one forward WebSocket (32 in
/// flight), then fetched through their signed URLs by 16 keep-alive connections, each walking the whole list from
/// its own starting point (`HTTPLoad`), against nginx serving the same files from a folder the bench wrote.
/// Windows alternate; the row reports medians.
enum SmallFilesScenario {
    static func run(_ context: BenchContext) async throws -> ReportRow {
        let sizes = context.sizes
        let bytes = sizes.smallFileBytes
        let folder = "smallfiles"
        let directory = context.workspace.filesDir + "/" + folder
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { context.workspace.remove(directory) }
        let names = (0..<sizes.smallFiles).map { "small-\(zeroPadded($0, width: 5)).bin" }
        for (index, name) in names.enumerated() {
            let path = directory + "/" + name
            guard FileManager.default.createFile(atPath: path, contents: Data(content(index, bytes: bytes))) else {
                throw BenchError("cannot write \(path)")
            }
        }
        context.log("small-file downloads: uploading \(Format.count(names.count)) files of \(bytes) bytes over WS")
        let urls = try await upload(context, names: names, bytes: bytes)
        await Workspace.sync()
        let trefoilHeads = try urls.map { try HTTPLoad.getHead(url: $0) }
        let nginxHeads = names.map { HTTPLoad.getHead("/\(folder)/\($0)") }
        // Every file's bytes, twice: the first read fills the server's caches, the second is answered as prepared, the
        // way the load is answered. The load itself checks statuses and lengths only.
        for read in 1...2 {
            let answers = try await HTTPLoad.bodies(port: context.server.port, heads: trefoilHeads)
            for (index, answer) in answers.enumerated()
            where answer.status != 200 || answer.body != content(index, bytes: bytes) {
                throw BenchError("\(names[index]): HTTP \(answer.status), not its bytes (read \(read))")
            }
        }

        let nginx = try await Nginx.start(workspace: context.workspace) { context.log($0) }
        let runs: (figures: [Double], baseline: [Double])
        do {
            context.log(
                "  \(sizes.smallFileConnections) keep-alive connections, \(sizes.smallFileWindows) windows of "
                    + "\(sizes.httpLoadSeconds) s each against nginx")
            runs = try await HTTPLoad.alternating(
                context, request: .init(port: context.server.port, heads: trefoilHeads, bytes: bytes),
                baseline: .init(port: nginx.port, heads: nginxHeads, bytes: bytes),
                connections: sizes.smallFileConnections, windows: sizes.smallFileWindows
            ) { "  trefoil \(Format.rate($0)), nginx \(Format.rate($1))" }
        } catch {
            await nginx.stop()
            throw error
        }
        await nginx.stop()
        return EasemobScenario.compared(
            "downloads of \(Format.count(names.count)) small files (10 KB, \(sizes.smallFileConnections) clients)",
            runs.figures, against: runs.baseline, named: "nginx (sendfile), the same files", format: Format.rate,
            unit: "rps", target: "≥ 1.0×", met: { $0 >= 1.0 },
            notes: "signed URLs from the upload answers; each keep-alive connection walks the list from its own "
                + "offset; every answer 200 with \(bytes) body bytes (each file read twice first and compared byte "
                + "for byte); medians of \(runs.figures.count) windows each, alternating")
    }

    /// File `index`'s bytes: distinct for every file, so that no upload is deduplicated away.
    private static func content(_ index: Int, bytes: Int) -> [UInt8] {
        RandomBytes.bytes(bytes, seed: 0x5_0000_0000 + UInt64(index))
    }

    /// Uploads every file with 32 in flight on one connection; returns each file's signed URL, in `names`' order.
    private static func upload(_ context: BenchContext, names: [String], bytes: Int) async throws -> [String] {
        let next = Counter()
        return try await WSRPC.withConnection(url: context.server.webSocketBase + "/api") { client in
            try await withThrowingTaskGroup(of: [(Int, String)].self) { lanes in
                for _ in 0..<32 {
                    lanes.addTask {
                        var done: [(Int, String)] = []
                        while true {
                            let index = next.add()
                            guard index < names.count else { return done }
                            let encoded = Data(content(index, bytes: bytes)).base64EncodedString()
                            let params =
                                #"{"group_id":\#(BenchGroups.smallFiles),"file":"base64://\#(encoded)","name":"\#(names[index])"}"#
                            let envelope = try await client.callOK("upload_group_file", params: params)
                            try UploadCheck.verify(envelope, bytes: Int64(bytes), md5: nil, what: names[index])
                            guard let url = Envelope.dataField(envelope, "url") as? String, !url.isEmpty else {
                                throw BenchError("upload_group_file of \(names[index]) returned no url")
                            }
                            done.append((index, url))
                        }
                    }
                }
                var urls = [String](repeating: "", count: names.count)
                for try await done in lanes {
                    for (index, url) in done { urls[index] = url }
                }
                return urls
            }
        }
    }
}
