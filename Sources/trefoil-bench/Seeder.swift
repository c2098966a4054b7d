import Foundation

/// Fills groups with many tiny files through many concurrent WebSocket uploads (`base64://`
/// content), the way a busy bot would. Seeding is set-up, not a figure: the seeding server runs
/// under `eatmydata` when it is available, so that 100,000 uploads do not each wait for fsyncs,
/// and it is stopped (and the disk synced) before the measured server starts on the same data.
enum Seeder {
    struct Job: Sendable {
        /// The first group; with `groups` above 1 the files go round groups `group`, `group + 1`, … in turn.
        let group: Int64
        let count: Int
        let prefix: String
        var groups = 1
    }

    static func seed(
        binary: String, workspace: Workspace, dataDir: String, jobs: [Job], log: @escaping @Sendable (String) -> Void
    ) async throws {
        let total = jobs.reduce(0) { $0 + $1.count }
        let wrapper: String?
        do {
            try await Installer.ensure("eatmydata", package: "eatmydata", log: log)
            wrapper = "eatmydata"
        } catch {
            log("seeding without eatmydata (\(error)); it will take longer")
            wrapper = nil
        }
        let clock = ContinuousClock()
        let start = clock.now
        let server = try await TrefoilServer.start(
            binary: binary, name: "seed", workspace: workspace, dataDir: dataDir, wrapper: wrapper)
        do {
            for job in jobs {
                try await upload(job, server: server, log: log)
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        await Workspace.sync()
        let seconds = (clock.now - start).seconds
        log(String(format: "  seeded %d files in %.1f s (%.0f uploads/s)", total, seconds, Double(total) / seconds))
    }

    /// `connections` WS connections, each with `depth` uploads in flight, until `count` are done.
    private static func upload(
        _ job: Job, server: TrefoilServer, connections: Int = 8, depth: Int = 32,
        log: @escaping @Sendable (String) -> Void
    ) async throws {
        let next = Counter()
        let done = Counter()
        let step = max(job.count / 5, 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    try await WSRPC.withConnection(url: server.webSocketBase + "/api") { client in
                        try await withThrowingTaskGroup(of: Void.self) { lanes in
                            for _ in 0..<depth {
                                lanes.addTask {
                                    while true {
                                        let index = next.add()
                                        guard index < job.count else { return }
                                        let name = job.prefix + "-" + zeroPadded(index, width: 6) + ".txt"
                                        let content = Data("\(name)\n".utf8).base64EncodedString()
                                        let group = job.group + Int64(index % job.groups)
                                        let params =
                                            #"{"group_id":\#(group),"file":"base64://\#(content)","name":"\#(name)"}"#
                                        _ = try await client.callOK("upload_group_file", params: params)
                                        let finished = done.add() + 1
                                        if finished % step == 0 {
                                            log(
                                                "  group \(job.group)\(job.groups > 1 ? " and on" : ""): "
                                                    + "\(Format.count(finished)) of \(Format.count(job.count))"
                                            )
                                        }
                                    }
                                }
                            }
                            try await lanes.waitForAll()
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

/// `42` → `000042`.
func zeroPadded(_ value: Int, width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
