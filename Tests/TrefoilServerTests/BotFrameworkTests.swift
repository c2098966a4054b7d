import Foundation
import Testing
import TrefoilTestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A real bot framework from PyPI against the real `trefoil` executable: NoneBot2 with its unpatched OneBot V11
/// adapter, as a forward WebSocket client (Tests/e2e/nonebot_forward_ws.py) and as the server that Trefoil dials
/// over reverse WebSocket or posts events to (Tests/e2e/nonebot_server.py), drives the group file actions.
///
/// The Python side runs in `.build/e2e-venv`, made here from Tests/e2e/requirements.txt when it is missing or
/// the requirements changed. A pip failure fails the test; nothing is skipped. The tests run one at a time: they
/// share that venv.
@Suite(
    "A real bot framework (NoneBot2) against the trefoil executable", .serialized, .timeLimit(.minutes(15)),
    .stopsLiveServers)
struct BotFrameworkTests {
    /// What the Tests/e2e programs upload, as Python's hashlib sees it.
    static let payloadSize = 10265
    static let payloadMD5 = "f61767172b7217ae70e8d18a7a9563fb"
    static let payloadSHA256 = "820d73664c6a84162bcc65ab3cc1d76e84d26456eb53b0fc75b83921927bd7ca"
    static let fileName = "e2e report 报告.bin"
    static let selfID = 10000
    static let groupID = 123456
    static let token = "secret-token"
    static let secret = "hmac-secret"

    @Test("NoneBot2's OneBot V11 adapter connects with the token and manages group files through call_api")
    func noneBotForwardWebSocket() async throws {
        let packageRoot = e2ePackageRoot()
        let python = try await e2eEnsureVenv(packageRoot: packageRoot)

        let temp = try e2eMakeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let (server, port, serverLog) = try await e2eStartReadyTrefoil(in: temp)
        defer { e2eStop(server) }

        let script = packageRoot + "/Tests/e2e/nonebot_forward_ws.py"
        let run = try await e2eRun(
            python,
            [
                script, "--ws-url", "ws://127.0.0.1:\(port)/", "--token", Self.token, "--group-id", "\(Self.groupID)",
                "--self-id", "\(Self.selfID)", "--timeout", "55",
            ],
            directory: temp + "/bot",  // NoneBot reads .env files from its working directory: give it an empty one
            environment: e2eCleanEnvironment(),
            timeout: .seconds(75))
        let result = try e2eRequireSuccess(E2EBotResult.self, run, timeout: 75, trefoilLog: e2eRead(serverLog))
        #expect(result.selfId == Self.selfID)
        #expect(result.loginUserId == Self.selfID)
        #expect(e2eIsQQStyleID(result.folderId), "folder_id \(result.folderId ?? "nil")")
        #expect(e2eIsQQStyleID(result.fileId), "file_id \(result.fileId ?? "nil")")
        #expect(result.fileSize == Self.payloadSize)
        #expect(result.md5 == Self.payloadMD5)
        #expect(result.sha256 == Self.payloadSHA256)
        #expect(result.busid == 102)
        #expect(result.listedName == Self.fileName)
        #expect(result.downloadBytesMatch == true)
        #expect(result.fileCount == 1)
        #expect(result.usedSpace == Self.payloadSize)
        #expect(result.renamedAndMoved == true)
        #expect(result.deletedRetcode == 35001)
        #expect(result.deletedMsg == "FILE_NOT_FOUND")
        #expect(result.deletedUrlStatus == 404)
        #expect(result.heartbeatInterval == 1000)
        let notice = try #require(result.notice, "no group_upload notice in the result")
        #expect(notice.groupId == Self.groupID)
        #expect(notice.userId == Self.selfID)
        #expect(notice.fileId == result.fileId)
        #expect(notice.name == Self.fileName)
        #expect(notice.size == Self.payloadSize)
        #expect(notice.folderId == result.folderId)
        #expect(notice.urlBytesMatch == true)

        e2eStop(server)
        #expect(!server.wasSignaled && server.terminationStatus == 0, "\(e2eTail(e2eRead(serverLog)))")
    }

    @Test("NoneBot2 as the server: Trefoil dials its reverse WebSocket, and the bot manages group files over it")
    func noneBotReverseWebSocket() async throws {
        let run = try await e2eRunNoneBotServer(.reverseWebSocket)
        let result = run.result
        #expect(result.selfId == Self.selfID)
        #expect(result.loginUserId == Self.selfID)
        let handshake = try #require(result.firstRequest, "no handshake recorded; \(run.context)")
        #expect(handshake.type == "websocket" && handshake.path == "/onebot/v11/ws", "\(handshake)")
        #expect(handshake.status == 101, "\(handshake)")
        #expect(handshake.xSelfId == "\(Self.selfID)", "\(handshake)")
        #expect(handshake.xClientRole == "Universal", "\(handshake)")
        #expect(handshake.userAgent?.hasPrefix("Trefoil/") == true, "\(handshake)")
        #expect(handshake.bearerOk == true, "Authorization was not 'Bearer \(Self.token)': \(handshake)")
        #expect(result.statuses == ["101"], "NoneBot refused a handshake: \(result.statuses ?? [])")
        #expect(result.lifecycle?.first == "connect", "lifecycle events \(result.lifecycle ?? [])")
        Self.expectGroupFileChecks(result, context: run.context)
        #expect(run.trefoilLog.contains("reverse websocket connected"), "\(e2eTail(run.trefoilLog))")
        #expect(run.trefoilExitedCleanly, "\(e2eTail(run.trefoilLog))")
    }

    @Test("NoneBot2 as the server: Trefoil posts signed events, and the bot answers through the HTTP API")
    func noneBotHTTPPost() async throws {
        let run = try await e2eRunNoneBotServer(.httpPost(trefoilSecret: Self.secret, botSecret: Self.secret))
        let result = run.result
        #expect(result.selfId == Self.selfID)
        #expect(result.loginUserId == Self.selfID)
        // NoneBot registers an HTTP bot on the first post it accepts: Trefoil's lifecycle enable.
        let post = try #require(result.firstRequest, "no post recorded; \(run.context)")
        #expect(post.type == "http" && post.method == "POST" && post.path == "/onebot/v11/http", "\(post)")
        #expect(post.status == 204, "\(post)")
        #expect(post.event == "meta_event/lifecycle/enable", "the bot appeared on \(post.event ?? "nil")")
        #expect(post.xSelfId == "\(Self.selfID)", "\(post)")
        #expect(post.contentType == "application/json", "\(post)")
        #expect(post.userAgent?.hasPrefix("Trefoil/") == true, "\(post)")
        #expect(post.bearerOk == true, "Authorization was not 'Bearer \(Self.token)': \(post)")
        #expect(post.xSignatureShapeOk == true, "X-Signature is not sha1=<40 hex>: \(post)")
        // With onebot_secret set NoneBot answers 403 to a bad signature: every post passed the check.
        #expect(result.statuses == ["204"], "NoneBot answered the posts with \(result.statuses ?? [])")
        #expect(result.lifecycle == ["enable", "disable"], "lifecycle events \(result.lifecycle ?? [])")
        #expect(result.disableReceived == true)
        Self.expectGroupFileChecks(result, context: run.context)
        #expect(run.trefoilExitedCleanly, "\(e2eTail(run.trefoilLog))")
    }

    @Test("NoneBot2 refuses posts signed with another secret, and Trefoil logs the failed deliveries")
    func noneBotHTTPPostWrongSecret() async throws {
        let run = try await e2eRunNoneBotServer(.httpPost(trefoilSecret: "not-" + Self.secret, botSecret: Self.secret))
        let result = run.result
        #expect(result.refusedStatuses == ["403"], "NoneBot answered \(result.refusedStatuses ?? [])")
        #expect((result.refusedPosts ?? 0) >= 2, "\(result.refusedPosts ?? 0) posts")
        #expect(result.refusedEvents?.contains("meta_event/lifecycle/enable") == true, "\(result.refusedEvents ?? [])")
        #expect(result.steps?.contains("bot appeared") == false, "steps \(result.steps ?? [])")
        #expect(
            run.trefoilLog.contains("event dropped after failed deliveries") && run.trefoilLog.contains("HTTP 403"),
            "no dropped-event warning naming HTTP 403 in the trefoil log:\n\(e2eTail(run.trefoilLog))")
        #expect(run.trefoilExitedCleanly, "\(e2eTail(run.trefoilLog))")
    }

    /// The group file round trip that nonebot_server.py makes in both modes.
    static func expectGroupFileChecks(_ result: E2EServerBotResult, context: String) {
        #expect(e2eIsQQStyleID(result.fileId), "file_id \(result.fileId ?? "nil")")
        #expect(result.fileSize == payloadSize)
        #expect(result.sha256 == payloadSHA256)
        #expect(result.listedName == fileName)
        #expect(result.downloadBytesMatch == true)
        #expect(result.deleted == true)
        #expect(result.heartbeatInterval == 1000)
        #expect(result.notice?.groupId == groupID, "notice \(String(describing: result.notice)); \(context)")
        #expect(result.notice?.userId == selfID)
        #expect(result.notice?.fileId == result.fileId)
        #expect(result.notice?.name == fileName)
        #expect(result.notice?.size == payloadSize)
        #expect(result.notice?.busid == 102)
    }
}

/// What the result line of every Tests/e2e program holds.
protocol E2EResultLine: Decodable {
    var ok: Bool { get }
    var error: String? { get }
}

/// Decodes the bot's JSON result line and requires that it reports success and that the program exited 0 in time:
/// one failure with the whole story (bot's error, its output, the end of both logs) rather than a nil for every
/// field the test then looks at.
func e2eRequireSuccess<Result: E2EResultLine>(
    _ type: Result.Type, _ run: E2ERunResult, timeout seconds: Int, trefoilLog: String
) throws -> Result {
    let context =
        "python exited \(run.status)\(run.timedOut ? " (killed after \(seconds) s)" : ""), stdout:\n"
        + "\(e2eTail(run.output, lines: 3, characters: 1500))\nstderr (tail):\n\(e2eTail(run.errors))\n"
        + "trefoil log (tail):\n\(e2eTail(trefoilLog))"
    let line = try #require(
        run.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }), "no JSON result line; \(context)")
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    let result = try decoder.decode(Result.self, from: Data(line.utf8))
    try #require(
        result.ok && run.status == 0 && !run.timedOut, "\(result.error ?? "the bot reported no error"); \(context)")
    return result
}

/// The JSON line that nonebot_forward_ws.py prints (snake_case keys).
struct E2EBotResult: E2EResultLine {
    struct Notice: Decodable {
        let groupId: Int?
        let userId: Int?
        let fileId: String?
        let name: String?
        let size: Int?
        let busid: Int?
        let folderId: String?
        let urlBytesMatch: Bool?
    }
    let ok: Bool
    let error: String?
    let steps: [String]?
    let selfId: Int?
    let loginUserId: Int?
    let folderId: String?
    let fileId: String?
    let fileSize: Int?
    let md5: String?
    let sha256: String?
    let busid: Int?
    let notice: Notice?
    let listedName: String?
    let downloadBytesMatch: Bool?
    let fileCount: Int?
    let usedSpace: Int?
    let renamedAndMoved: Bool?
    let deletedRetcode: Int?
    let deletedMsg: String?
    let deletedUrlStatus: Int?
    let heartbeatInterval: Int?
}

/// The JSON line that nonebot_server.py prints (snake_case keys).
struct E2EServerBotResult: E2EResultLine {
    /// One request NoneBot's routes received from Trefoil: an HTTP post or a WebSocket handshake.
    struct Request: Decodable, CustomStringConvertible {
        let type: String?
        let method: String?
        let path: String?
        let status: Int?
        let event: String?
        let xSelfId: String?
        let xClientRole: String?
        let userAgent: String?
        let contentType: String?
        let bearerOk: Bool?
        let xSignatureShapeOk: Bool?

        var description: String {
            "\(method ?? "?") \(path ?? "?") (\(type ?? "?")) -> \(status.map(String.init) ?? "no status"); "
                + "event \(event ?? "-"), X-Self-ID \(xSelfId ?? "-"), X-Client-Role \(xClientRole ?? "-"), "
                + "User-Agent \(userAgent ?? "-"), Content-Type \(contentType ?? "-"), bearer ok \(bearerOk ?? false), "
                + "X-Signature shape ok \(xSignatureShapeOk.map(String.init) ?? "-")"
        }
    }
    let ok: Bool
    let error: String?
    let steps: [String]?
    let mode: String?
    let selfId: Int?
    let loginUserId: Int?
    let firstRequest: Request?
    let statuses: [String]?
    let lifecycle: [String]?
    let fileId: String?
    let fileSize: Int?
    let sha256: String?
    let notice: E2EBotResult.Notice?
    let listedName: String?
    let downloadBytesMatch: Bool?
    let deleted: Bool?
    let heartbeatInterval: Int?
    let disableReceived: Bool?
    let refusedPosts: Int?
    let refusedStatuses: [String]?
    let refusedEvents: [String]?
}

/// How Trefoil reaches NoneBot in nonebot_server.py.
enum E2EOutbound {
    /// Trefoil dials NoneBot's `/onebot/v11/ws` as a Universal client.
    case reverseWebSocket
    /// Trefoil posts events to NoneBot's `/onebot/v11/http`; NoneBot calls Trefoil's HTTP API. Different secrets
    /// check that NoneBot refuses the posts.
    case httpPost(trefoilSecret: String, botSecret: String)
}

/// What one run of nonebot_server.py showed, once Trefoil was stopped.
struct E2EServerBotRun {
    let result: E2EServerBotResult
    /// The bot's output and the end of both logs, for failure messages.
    let context: String
    let trefoilLog: String
    let trefoilExitedCleanly: Bool
}

/// Runs Tests/e2e/nonebot_server.py, NoneBot2 as the server, with Trefoil reaching it over `outbound`: the bot first
/// (on a free port, until it listens), then Trefoil configured to dial it or post to it. With a matching secret in
/// HTTP POST mode the bot makes a file once its checks are done; Trefoil is then stopped, so that its lifecycle
/// `disable` post can be seen. Requires that the bot reported success.
func e2eRunNoneBotServer(_ outbound: E2EOutbound) async throws -> E2EServerBotRun {
    typealias Fixture = BotFrameworkTests
    let packageRoot = e2ePackageRoot()
    let python = try await e2eEnsureVenv(packageRoot: packageRoot)
    let temp = try e2eMakeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: temp) }
    let botPort = try e2eFreePort()
    var trefoilPort = try e2eFreePort()
    while trefoilPort == botPort { trefoilPort = try e2eFreePort() }

    var arguments = [
        packageRoot + "/Tests/e2e/nonebot_server.py", "--port", "\(botPort)", "--token", Fixture.token, "--group-id",
        "\(Fixture.groupID)", "--self-id", "\(Fixture.selfID)", "--timeout", "60",
    ]
    let targets: String
    var shutdownFile: String?
    switch outbound {
    case .reverseWebSocket:
        arguments += ["--mode", "reverse-ws"]
        targets = """
            "reverse_ws": [{"url": "ws://127.0.0.1:\(botPort)/onebot/v11/ws", "role": "Universal",
             "reconnect_interval_ms": 500}], "http_post": []
            """
    case .httpPost(let trefoilSecret, let botSecret):
        let refused = trefoilSecret != botSecret
        arguments += ["--mode", "http-post", "--secret", botSecret, "--api-root", "http://127.0.0.1:\(trefoilPort)/"]
        if refused {
            arguments.append("--expect-refused")
        } else {
            let file = temp + "/checks-done"
            shutdownFile = file
            arguments += ["--shutdown-file", file]
        }
        // Refused posts: a short retry window, so that Trefoil gives up on each event (and logs it) within a second.
        targets = """
            "reverse_ws": [], "http_post": [{"url": "http://127.0.0.1:\(botPort)/onebot/v11/http",
             "secret": "\(trefoilSecret)", "timeout_ms": 5000, "retry_window_ms": \(refused ? 1000 : 60000)}]
            """
    }

    let bot = try E2EChild(
        python, arguments,
        directory: temp + "/bot",  // NoneBot reads .env files from its working directory: give it an empty one
        environment: e2eCleanEnvironment())
    defer { bot.stop() }
    let listening = await e2eWait(timeout: .seconds(30)) {
        !bot.process.isRunning || e2eCanConnect(port: botPort)
    }
    if !listening || !bot.process.isRunning {
        let run = await bot.finish(timeout: .seconds(5))
        throw E2ESetupError(
            description: "NoneBot did not listen on 127.0.0.1:\(botPort) within 30 s; python exited \(run.status), "
                + "stdout:\n\(e2eTail(run.output, lines: 3, characters: 1500))\nstderr (tail):\n\(e2eTail(run.errors))")
    }

    let serverLog = temp + "/server.log"
    let server = try e2eStartTrefoil(
        config: e2eTrefoilConfig(port: trefoilPort, dataDir: temp + "/data", outbound: targets), directory: temp,
        log: serverLog)
    defer { e2eStop(server) }
    if let shutdownFile {
        await e2eWait(timeout: .seconds(70)) {
            FileManager.default.fileExists(atPath: shutdownFile) || !bot.process.isRunning
        }
        e2eStop(server)  // a clean shutdown: Trefoil posts lifecycle disable, which the bot waits for
    }
    let run = await bot.finish(timeout: .seconds(75))
    e2eStop(server)
    let trefoilLog = e2eRead(serverLog)
    let result = try e2eRequireSuccess(E2EServerBotResult.self, run, timeout: 75, trefoilLog: trefoilLog)
    return E2EServerBotRun(
        result: result,
        context: "bot result: \(e2eTail(run.output, lines: 1, characters: 1500))\ntrefoil log (tail):\n"
            + e2eTail(trefoilLog),
        trefoilLog: trefoilLog, trefoilExitedCleanly: !server.wasSignaled && server.terminationStatus == 0
    )
}

/// A new temporary directory holding an empty `bot` directory, the working directory for NoneBot.
func e2eMakeTemporaryDirectory() throws -> String {
    let temp = makeTempDirectory(prefix: "trefoil-e2e")
    try FileManager.default.createDirectory(atPath: temp + "/bot", withIntermediateDirectories: true)
    return temp
}

/// A Trefoil config with the suite's self_id and token, listening on loopback `port`, heartbeats every second, and
/// `outbound` as its `reverse_ws` and `http_post` members.
func e2eTrefoilConfig(port: Int, dataDir: String, outbound: String = #""reverse_ws": [], "http_post": []"#) -> String {
    """
    {"self_id": \(BotFrameworkTests.selfID), "access_token": "\(BotFrameworkTests.token)",
     "storage": {"data_dir": "\(dataDir)"},
     "server": {"host": "127.0.0.1", "port": \(port), "public_url": "http://127.0.0.1:\(port)"},
     "heartbeat": {"enable": true, "interval_ms": 1000}, \(outbound)}
    """
}

/// `trefoil serve` on a free port with the e2e config (data in `temp/data`, its log in `temp/server.log`), once it
/// answers `GET /get_version_info` with the token. Throws with the end of its log when it does not within 30 s (the
/// server is then stopped); the caller stops it (`e2eStop`) when done.
func e2eStartReadyTrefoil(in temp: String) async throws -> (server: TestChild, port: Int, log: String) {
    let port = try e2eFreePort()
    let log = temp + "/server.log"
    let server = try e2eStartTrefoil(
        config: e2eTrefoilConfig(port: port, dataDir: temp + "/data"), directory: temp, log: log)
    guard await e2eWaitUntilReady(port: port, token: BotFrameworkTests.token, server: server, timeout: .seconds(30))
    else {
        e2eStop(server)
        throw E2ESetupError(
            description: "trefoil did not answer GET /get_version_info within 30 s:\n" + e2eTail(e2eRead(log)))
    }
    return (server, port, log)
}

/// Writes `config` to `directory/config.json` and starts `trefoil serve` on it in a stripped environment, standard
/// output and standard error in `log`.
func e2eStartTrefoil(config: String, directory: String, log: String) throws -> TestChild {
    try config.write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
    let output = try e2eOutputFile(log)
    defer { try? output.close() }  // the child has its own descriptors once it runs
    return try TestChild(
        trefoilBinary, ["serve", "--config", directory + "/config.json"], environment: e2eCleanEnvironment(),
        standardOutput: .handle(output), standardError: .handle(output))
}

/// Whether something accepts TCP connections on loopback `port`.
func e2eCanConnect(port: Int) -> Bool {
    guard let fd = try? loopbackSocket(port: port) else { return false }
    close(fd)
    return true
}

/// Polls `condition` every 50 ms until it holds or `timeout` has passed; returns whether it held.
@discardableResult
func e2eWait(timeout: Duration, until condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return true
}

/// `"/"` followed by a lowercase UUID, as QQ shapes file and folder ids.
func e2eIsQQStyleID(_ id: String?) -> Bool {
    guard let id, id.hasPrefix("/") else { return false }
    let uuid = String(id.dropFirst())
    return UUID(uuidString: uuid) != nil && uuid == uuid.lowercased()
}

/// The package root: this file sits at Tests/TrefoilServerTests/BotFrameworkTests.swift.
func e2ePackageRoot(file: String = #filePath) -> String {
    var folder = URL(fileURLWithPath: file).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path),
        folder.path != "/"
    {
        folder = folder.deletingLastPathComponent()
    }
    return folder.path
}

/// The environment for child processes: enough to run, with no proxy (only loopback is addressed) and none of the
/// variables NoneBot or Trefoil would read as settings.
func e2eCleanEnvironment() -> [String: String] {
    let inherited = ProcessInfo.processInfo.environment
    var environment = ["LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"]
    for key in ["PATH", "HOME", "TMPDIR"] { environment[key] = inherited[key] }
    if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
    return environment
}

/// A FNV-1a 64-bit hash, enough to notice that requirements.txt changed.
func e2eHash(_ data: Data) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return "fnv1a64:" + String(hash, radix: 16)
}

/// Makes sure `.build/<venv>` holds the pinned requirements of `requirements` (a path under the package root);
/// returns its python. Throws (the test fails, never skips) when python3, venv or pip do not work.
func e2eEnsureVenv(
    packageRoot: String, requirements relativeRequirements: String = "Tests/e2e/requirements.txt",
    venv venvName: String = "e2e-venv"
) async throws -> String {
    let requirements = packageRoot + "/" + relativeRequirements
    let venv = packageRoot + "/.build/" + venvName
    let python = venv + "/bin/python"
    let stampPath = venv + "/requirements.stamp"
    let wanted = e2eHash(try Data(contentsOf: URL(fileURLWithPath: requirements)))
    let stamp = try? String(contentsOfFile: stampPath, encoding: .utf8)
    if FileManager.default.isExecutableFile(atPath: python), stamp == wanted { return python }

    // venv and pip talk to the package index, not to Trefoil: they get the whole environment (proxies, PIP_*).
    let environment = ProcessInfo.processInfo.environment
    try? FileManager.default.removeItem(atPath: venv)
    try FileManager.default.createDirectory(atPath: packageRoot + "/.build", withIntermediateDirectories: true)
    let create = try await e2eRun(
        "/usr/bin/env", ["python3", "-m", "venv", venv], environment: environment, timeout: .seconds(120))
    guard create.status == 0, !create.timedOut else {
        try? FileManager.default.removeItem(atPath: venv)
        throw E2ESetupError(
            description: "python3 -m venv \(venv) failed (exit \(create.status)); it needs python3 with venv support "
                + "(Debian: apt-get install python3-venv):\n\(e2eTail(create.output))\n\(e2eTail(create.errors))")
    }
    let install = try await e2eRun(
        python, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-r", requirements],
        environment: environment, timeout: .seconds(600))
    guard install.status == 0, !install.timedOut else {
        try? FileManager.default.removeItem(atPath: venv)
        throw E2ESetupError(
            description: "pip install -r \(relativeRequirements) into \(venv) failed (exit \(install.status)"
                + (install.timedOut ? ", killed after 600 s" : "") + "):\n\(e2eTail(install.output, characters: 400))\n"
                + e2eTail(install.errors))
    }
    try wanted.write(toFile: stampPath, atomically: true, encoding: .utf8)
    return python
}

/// Why the Python side could not be set up.
struct E2ESetupError: Error, CustomStringConvertible {
    let description: String
}

/// A loopback TCP port that was free a moment ago, for a child process to bind.
///
/// The child binds it a while later, so the port is taken from below the kernel's ephemeral range:
/// ports there are never handed out for outgoing connections or `bind(0)`, which the other tests
/// make by the hundred meanwhile (from inside that range, one of them could take it first).
func e2eFreePort() throws -> Int {
    let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
        .split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
    let ephemeralStart = range?.first ?? 32_768
    let candidates = ephemeralStart > 12_000 ? 10_000..<ephemeralStart : 1_024..<ephemeralStart
    for _ in 0..<100 {
        let port = Int.random(in: candidates)
        if try e2eCanBind(port) { return port }
    }
    throw E2ESetupError(description: "no free loopback port below \(ephemeralStart) in 100 tries")
}

/// Whether `port` binds on 127.0.0.1 right now.
private func e2eCanBind(_ port: Int) throws -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw E2ESetupError(description: "socket() failed: errno \(errno)") }
    defer { close(fd) }
    return withLoopbackAddress(port: port) { bind(fd, $0, $1) } == 0
}

/// A new empty file opened for writing, for a child's output (files, unlike pipes, never fill up and block it).
func e2eOutputFile(_ path: String) throws -> FileHandle {
    guard FileManager.default.createFile(atPath: path, contents: nil),
        let handle = FileHandle(forWritingAtPath: path)
    else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    return handle
}

/// The end of a text: at most `lines` lines and `characters` characters. Failure messages stay well under 4 KiB:
/// `swift test` was seen to drop a longer issue line from a Swift Testing run.
func e2eTail(_ text: String, lines: Int = 12, characters: Int = 1000) -> String {
    let tail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    return tail.count <= characters ? tail : "…" + String(tail.suffix(characters))
}

/// A file's text, or "" when it cannot be read.
func e2eRead(_ path: String) -> String {
    (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}

struct E2ERunResult {
    let status: Int32
    let timedOut: Bool
    let output: String
    let errors: String
}

/// Runs a program to the end, or stops it after `timeout`; returns its exit status, standard output and standard
/// error.
func e2eRun(
    _ executable: String, _ arguments: [String], directory: String? = nil, environment: [String: String],
    timeout: Duration
) async throws -> E2ERunResult {
    try await E2EChild(executable, arguments, directory: directory, environment: environment).finish(timeout: timeout)
}

/// A running program whose standard output and standard error go to files in a scratch directory (files, unlike
/// pipes, never fill up and block it). It is stopped, and the files removed, when the value goes away.
final class E2EChild {
    let process: TestChild
    private let scratch: String

    init(_ executable: String, _ arguments: [String], directory: String? = nil, environment: [String: String]) throws {
        let scratch =
            FileManager.default.temporaryDirectory.appendingPathComponent("trefoil-e2e-run-\(UUID().uuidString)")
            .path
        self.scratch = scratch
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            process = try TestChild(
                executable, arguments, environment: environment, directory: directory,
                standardOutput: .file(scratch + "/stdout"), standardError: .file(scratch + "/stderr"))
        } catch {
            try? FileManager.default.removeItem(atPath: scratch)
            throw error
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Stops the program if it still runs (see `e2eStop`).
    func stop() { e2eStop(process) }

    /// Waits for the program to exit, stopping it after `timeout`; returns its exit status and output.
    func finish(timeout: Duration) async -> E2ERunResult {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let timedOut = process.isRunning
        if timedOut { stop() }
        process.waitUntilExit()
        return E2ERunResult(
            status: process.terminationStatus, timedOut: timedOut, output: e2eRead(scratch + "/stdout"),
            errors: e2eRead(scratch + "/stderr"))
    }
}

/// SIGTERM, up to 10 s to exit, then SIGKILL; returns once the process is gone.
func e2eStop(_ process: TestChild) {
    guard process.isRunning else { return }
    process.terminate()
    let deadline = Date().addingTimeInterval(10)
    while process.isRunning, Date() < deadline { usleep(20_000) }
    if process.isRunning { process.send(SIGKILL) }
    process.waitUntilExit()
}

/// Polls `GET /get_version_info` with the token until it answers `ok` from trefoil, the server exits or time is up.
func e2eWaitUntilReady(port: Int, token: String, server: TestChild, timeout: Duration) async -> Bool {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.connectionProxyDictionary = [:]
    configuration.timeoutIntervalForRequest = 2
    let session = URLSession(configuration: configuration)
    defer { session.finishTasksAndInvalidate() }
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/get_version_info")!)
    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline, server.isRunning {
        if let (data, response) = try? await session.data(for: request),
            (response as? HTTPURLResponse)?.statusCode == 200,
            let body = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            body["status"] as? String == "ok",
            (body["data"] as? [String: Any])?["app_name"] as? String == "trefoil"
        {
            return true
        }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return false
}
