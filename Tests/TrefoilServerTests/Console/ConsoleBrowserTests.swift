import Foundation
import HTTPTypes
import Testing
import TrefoilJSON

/// The web console in a real browser: Debian's Chromium, driven by Selenium from PyPI (Tests/console/console_browser.py
/// in the e2e venv), against the real `trefoil` executable while a bot is connected over forward WebSocket.
///
/// The script goes through every step in one browser session, run once for the suite (a browser start costs seconds
/// on a busy machine); each test checks one behaviour that run went through. It leaves a screenshot of each page in
/// `.build/console-screenshots/`. Part of the serialized suite: it shares the e2e venv.
extension BotFrameworkTests {
    @Suite("The web console in headless Chromium against the trefoil executable")
    struct ConsoleBrowserTests {
        @Test("the browser loads GET /health from the live server")
        func healthLoads() async throws {
            let run = try await ConsoleBrowserRun.shared.value
            run.expectPassed("health_page_loads")
        }
    }
}

/// What the one run of console_browser.py showed, once the server was stopped.
struct ConsoleBrowserRun: Sendable {
    let result: ConsoleBrowserResult
    /// The `group_upload` notices the bot received.
    let notices: [JSONValue]
    /// The script's output and the end of the server's log, for failure messages.
    let context: String
    let trefoilExitedCleanly: Bool

    /// The run every test of the suite looks at; started by the first test that asks.
    static let shared = Task { try await ConsoleBrowserRun.perform() }

    /// This file sits one folder deeper than the e2e suites that `e2ePackageRoot` counts from: it is given this
    /// file's folder.
    static let packageRoot = e2ePackageRoot(file: URL(fileURLWithPath: #filePath).deletingLastPathComponent().path)
    static let screenshotFolder = packageRoot + "/.build/console-screenshots"

    /// Records an issue unless the script passed `step`: its failure, or that it never got there, and why.
    func expectPassed(_ step: String, sourceLocation: SourceLocation = #_sourceLocation) {
        if let failure = result.failed?[step] {
            Issue.record("\(step) failed: \(failure)\n\(context)", sourceLocation: sourceLocation)
        } else if result.passed?.contains(step) != true {
            Issue.record(
                "\(step) was not reached: \(result.error ?? "no error reported")\n\(context)",
                sourceLocation: sourceLocation)
        }
    }

    static func perform() async throws -> ConsoleBrowserRun {
        typealias Fixture = BotFrameworkTests
        let python = try await e2eEnsureVenv(packageRoot: packageRoot)
        let temp = try e2eMakeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let port = try e2eFreePort()
        let serverLog = temp + "/server.log"
        let server = try e2eStartTrefoil(
            config: e2eTrefoilConfig(port: port, dataDir: temp + "/data"), directory: temp, log: serverLog)
        defer { e2eStop(server) }
        let ready = await e2eWaitUntilReady(port: port, token: Fixture.token, server: server, timeout: .seconds(30))
        guard ready else {
            throw E2ESetupError(
                description: "trefoil did not answer GET /get_version_info within 30 s:\n"
                    + e2eTail(e2eRead(serverLog)))
        }

        // Stopping the server ends this connection too, should anything below throw.
        let bot = WSSession(port: port, path: "/", headers: [.authorization: "Bearer \(Fixture.token)"])
        _ = try await bot.next { $0.isLifecycleConnect }

        try? FileManager.default.removeItem(atPath: screenshotFolder)
        let run = try await e2eRun(
            python,
            [
                packageRoot + "/Tests/console/console_browser.py", "--base", "http://127.0.0.1:\(port)", "--token",
                Fixture.token, "--screenshots", screenshotFolder, "--timeout", "100",
            ],
            directory: temp, environment: e2eCleanEnvironment(), timeout: .seconds(120))
        let notices = bot.received.filter { $0.json["notice_type"] == "group_upload" }.map(\.json)
        await bot.close()
        e2eStop(server)

        let trefoilLog = e2eRead(serverLog)
        let context =
            "python exited \(run.status)\(run.timedOut ? " (killed after 120 s)" : ""), stderr (tail):\n"
            + "\(e2eTail(run.errors))\ntrefoil log (tail):\n\(e2eTail(trefoilLog))"
        guard let line = run.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
            throw E2ESetupError(
                description: "console_browser.py printed no JSON result line; stdout:\n"
                    + "\(e2eTail(run.output, lines: 3, characters: 1500))\n\(context)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return ConsoleBrowserRun(
            result: try decoder.decode(ConsoleBrowserResult.self, from: Data(line.utf8)), notices: notices,
            context: context,
            trefoilExitedCleanly: server.terminationReason == .exit && server.terminationStatus == 0)
    }
}

/// The JSON line that console_browser.py prints (snake_case keys).
struct ConsoleBrowserResult: Decodable, Sendable {
    struct Upload: Decodable, Sendable {
        let name: String
        let size: Int
        let sha256: String
    }
    let ok: Bool
    let error: String?
    /// Every step begun, in order.
    let steps: [String]?
    let passed: [String]?
    /// Each failed step's message.
    let failed: [String: String]?
    /// The files saved in the screenshot folder.
    let screenshots: [String]?
    /// What the console uploaded.
    let uploads: [Upload]?
    let seconds: Double?
}
