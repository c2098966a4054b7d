import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A real bot framework from PyPI against the real `trefoil` executable: NoneBot2 with its OneBot V11 adapter
/// connects over forward WebSocket (Tests/e2e/nonebot_forward_ws.py) and drives the group file actions.
///
/// The Python side runs in `.build/e2e-venv`, made here from Tests/e2e/requirements.txt when it is missing or
/// the requirements changed. A pip failure fails the test; nothing is skipped.
@Suite("A real bot framework over forward WebSocket")
struct BotFrameworkTests {
    /// What Tests/e2e/nonebot_forward_ws.py uploads, as Python's hashlib sees it.
    static let payloadSize = 10265
    static let payloadMD5 = "f61767172b7217ae70e8d18a7a9563fb"
    static let payloadSHA256 = "820d73664c6a84162bcc65ab3cc1d76e84d26456eb53b0fc75b83921927bd7ca"
    static let fileName = "e2e report 报告.bin"
    static let selfID = 10000
    static let groupID = 123456
    static let token = "secret-token"

    @Test("NoneBot2's OneBot V11 adapter connects with the token and manages group files through call_api")
    func noneBotForwardWebSocket() async throws {
        let packageRoot = e2ePackageRoot()
        let python = try await e2eEnsureVenv(packageRoot: packageRoot)

        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("trefoil-e2e-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: temp + "/bot", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let port = try e2eFreePort()
        let config = """
            {"self_id": \(Self.selfID), "access_token": "\(Self.token)", "storage": {"data_dir": "\(temp)/data"},
             "server": {"host": "127.0.0.1", "port": \(port), "public_url": "http://127.0.0.1:\(port)"},
             "heartbeat": {"enable": true, "interval_ms": 1000}, "reverse_ws": [], "http_post": []}
            """
        try config.write(toFile: temp + "/config.json", atomically: true, encoding: .utf8)

        let serverLog = temp + "/server.log"
        let server = Process()
        server.executableURL = URL(fileURLWithPath: trefoilBinary)
        server.arguments = ["serve", "--config", temp + "/config.json"]
        server.environment = e2eCleanEnvironment()
        let serverOutput = try e2eOutputFile(serverLog)
        server.standardOutput = serverOutput
        server.standardError = serverOutput
        server.standardInput = FileHandle.nullDevice
        try server.run()
        defer {
            e2eStop(server)
            try? serverOutput.close()
        }

        let ready = await e2eWaitUntilReady(port: port, token: Self.token, server: server, timeout: .seconds(30))
        try #require(ready, "trefoil did not answer GET /get_version_info within 30 s:\n\(e2eTail(e2eRead(serverLog)))")

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
        let context =
            "python exited \(run.status)\(run.timedOut ? " (killed after 75 s)" : ""), stdout:\n"
            + "\(e2eTail(run.output, lines: 3, characters: 1500))\nstderr (tail):\n\(e2eTail(run.errors))\n"
            + "trefoil log (tail):\n\(e2eTail(e2eRead(serverLog)))"
        let line = try #require(
            run.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }), "no JSON result line; \(context)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let result = try decoder.decode(E2EBotResult.self, from: Data(line.utf8))
        // One failure with the whole story when the bot reports one, rather than a nil for every field below.
        try #require(
            result.ok && run.status == 0 && !run.timedOut, "\(result.error ?? "the bot reported no error"); \(context)")
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
        let notice = try #require(result.notice, "no group_upload notice in the result; \(context)")
        #expect(notice.groupId == Self.groupID)
        #expect(notice.userId == Self.selfID)
        #expect(notice.fileId == result.fileId)
        #expect(notice.name == Self.fileName)
        #expect(notice.size == Self.payloadSize)
        #expect(notice.folderId == result.folderId)
        #expect(notice.urlBytesMatch == true)

        e2eStop(server)
        #expect(server.terminationReason == .exit && server.terminationStatus == 0, "\(e2eTail(e2eRead(serverLog)))")
    }
}

/// The JSON line that nonebot_forward_ws.py prints (snake_case keys).
struct E2EBotResult: Decodable {
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

/// `"/"` followed by a lowercase UUID, as QQ shapes file and folder ids.
func e2eIsQQStyleID(_ id: String?) -> Bool {
    guard let id, id.hasPrefix("/") else { return false }
    let uuid = String(id.dropFirst())
    return UUID(uuidString: uuid) != nil && uuid == uuid.lowercased()
}

/// The package root: this file sits at Tests/TrefoilServerTests/BotFrameworkTests.swift.
func e2ePackageRoot(file: String = #filePath) -> String {
    URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .path
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

/// Makes sure `.build/e2e-venv` holds the pinned requirements; returns its python. Throws (the test fails, never
/// skips) when python3, venv or pip do not work.
func e2eEnsureVenv(packageRoot: String) async throws -> String {
    let requirements = packageRoot + "/Tests/e2e/requirements.txt"
    let venv = packageRoot + "/.build/e2e-venv"
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
            description: "pip install -r Tests/e2e/requirements.txt into \(venv) failed (exit \(install.status)"
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

/// A loopback TCP port that was free a moment ago.
func e2eFreePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw E2ESetupError(description: "socket() failed: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
        }
    }
    guard bound else { throw E2ESetupError(description: "no free loopback port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
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
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("trefoil-e2e-run-\(UUID().uuidString)")
        .path
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let stdout = try e2eOutputFile(scratch + "/stdout")
    let stderr = try e2eOutputFile(scratch + "/stderr")
    defer {
        try? stdout.close()
        try? stderr.close()
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning, ContinuousClock.now < deadline {
        try? await Task.sleep(for: .milliseconds(50))
    }
    let timedOut = process.isRunning
    if timedOut { e2eStop(process) }
    process.waitUntilExit()
    return E2ERunResult(
        status: process.terminationStatus, timedOut: timedOut, output: e2eRead(scratch + "/stdout"),
        errors: e2eRead(scratch + "/stderr"))
}

/// SIGTERM, up to 10 s to exit, then SIGKILL; returns once the process is gone.
func e2eStop(_ process: Process) {
    guard process.isRunning else { return }
    process.terminate()
    let deadline = Date().addingTimeInterval(10)
    while process.isRunning, Date() < deadline { usleep(20_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
}

/// Polls `GET /get_version_info` with the token until it answers `ok` from trefoil, the server exits or time is up.
func e2eWaitUntilReady(port: Int, token: String, server: Process, timeout: Duration) async -> Bool {
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
