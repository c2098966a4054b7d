import Foundation
import HTTPTypes
import Testing
import TrefoilJSON
import TrefoilTestSupport

/// The web console in a real browser: Debian's Chromium, driven by Selenium from PyPI (Tests/console/console_browser.py
/// in the e2e venv), against the real `trefoil` executable while a bot is connected over forward WebSocket.
///
/// The script goes through every step in one browser session, run once for the suite (a browser start costs seconds
/// on a busy machine); each test checks one behaviour that run went through. It leaves a screenshot of each page in
/// `.build/console-screenshots/`. Part of the serialized suite: it shares the e2e venv.
extension BotFrameworkTests {
    @Suite("The web console in headless Chromium against the trefoil executable")
    struct ConsoleBrowserTests {
        typealias Run = ConsoleBrowserRun

        @Test("a wrong token is refused with 401 and a visible message, and gets no session")
        func wrongTokenRefused() async throws {
            try await Run.shared.value.expectPassed("wrong_token_refused")
        }

        @Test(
            "the access token typed with the keyboard alone (Tab to the field, Enter) signs in to an HttpOnly, SameSite=Strict session"
        )
        func keyboardSignIn() async throws {
            try await Run.shared.value.expectPassed("keyboard_sign_in")
        }

        @Test("the overview lists the bot connected over forward WebSocket, with its role and address")
        func overviewListsBot() async throws {
            try await Run.shared.value.expectPassed("overview_lists_bot")
        }

        @Test("the groups table sorts by usage, biggest first, finds a group by its id, and opens a group's tree")
        func groupsTable() async throws {
            let run = try await Run.shared.value
            run.expectPassed("groups_table")
            run.expectPassed("group_opens")
        }

        @Test(
            "a file named <img src=x onerror=alert(1)> shows as text in the tree, on its page and in the events, and makes no element"
        )
        func markupNameIsText() async throws {
            try await Run.shared.value.expectPassed("file_name_renders_as_text")
        }

        @Test(
            "two files picked in the file input upload with a progress bar each, and the connected bot receives group_upload for both"
        )
        func uploadsReachTheBot() async throws {
            let run = try await Run.shared.value
            run.expectPassed("upload_two_files_with_progress")
            let uploads = run.result.uploads ?? []
            #expect(uploads.map(\.name) == [Run.firstUpload, Run.secondUpload], "\(run.context)")
            for upload in uploads {
                let notice = run.notices.first { $0["file"]?["name"] == .string(upload.name) }
                #expect(notice?["group_id"] == .int(Int64(Run.groupID)), "\(String(describing: notice))")
                #expect(notice?["user_id"] == .int(0), "the console's uploader_id: \(String(describing: notice))")
                #expect(notice?["file"]?["size"] == .int(Int64(upload.size)), "\(String(describing: notice))")
            }
        }

        @Test("a folder is created, a file moved into it and renamed, and a bot lists the result")
        func folderMoveRename() async throws {
            let run = try await Run.shared.value
            run.expectPassed("create_folder")
            run.expectPassed("move_file_into_folder")
            run.expectPassed("rename_file")
            #expect(run.rootFolders == [Run.folder], "\(run.context)")
            #expect(run.folderFiles == [Run.renamed], "\(run.context)")
            #expect(!run.rootFiles.contains(Run.secondUpload) && !run.rootFiles.contains(Run.renamed))
        }

        @Test("a group's biggest files are listed biggest first, from every folder, one link away from its tree")
        func biggestFiles() async throws {
            try await Run.shared.value.expectPassed("biggest_files")
        }

        @Test("delete asks first: cancelling keeps the file, confirming deletes it, and a bot no longer lists it")
        func deleteAsksFirst() async throws {
            let run = try await Run.shared.value
            run.expectPassed("delete_asks_first")
            #expect(!run.rootFiles.contains(Run.doomedName), "\(run.rootFiles)")
        }

        @Test("a file downloaded from the tree has the uploaded bytes")
        func downloadMatches() async throws {
            try await Run.shared.value.expectPassed("download_matches")
        }

        @Test(
            "a form or a fetch from another port, without the CSRF token or with another, is refused with 403, one from another site with 401, and nothing is deleted"
        )
        func forgedPostsRefused() async throws {
            let run = try await Run.shared.value
            run.expectPassed("forged_posts_refused")
            #expect(run.rootFiles.contains(Run.firstUpload), "\(run.rootFiles)")
        }

        @Test("a user's private files are listed, and the health page's consistency check finds the store clean")
        func privateFilesAndHealth() async throws {
            let run = try await Run.shared.value
            run.expectPassed("private_files")
            run.expectPassed("health_check")
        }

        @Test("the language switch shows the console in Simplified Chinese, and switches back to English")
        func chineseAndBack() async throws {
            try await Run.shared.value.expectPassed("chinese_and_back")
        }

        @Test("at 375 px wide no page is wider than the window")
        func narrowWindow() async throws {
            try await Run.shared.value.expectPassed("narrow_window")
        }

        @Test("no console page breaks its Content-Security-Policy or throws a script error")
        func noScriptErrors() async throws {
            try await Run.shared.value.expectPassed("no_script_errors")
        }

        @Test("signing out ends the session: the pages lead to the sign-in again, and the server then stops cleanly")
        func signOut() async throws {
            let run = try await Run.shared.value
            run.expectPassed("sign_out")
            #expect(run.trefoilExitedCleanly, "\(run.context)")
        }

        @Test("a PNG screenshot of each page is saved in .build/console-screenshots")
        func screenshotsSaved() async throws {
            let run = try await Run.shared.value
            let expected = [
                "01-sign-in", "02-overview", "03-groups", "04-group-upload", "05-biggest-files", "06-private-files",
                "07-health", "08-overview-zh", "09-group-375px",
            ].map { $0 + ".png" }
            #expect(run.result.screenshots == expected, "\(run.context)")
            for name in expected {
                let bytes = FileManager.default.contents(atPath: Run.screenshotFolder + "/" + name) ?? Data()
                #expect(
                    bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 1000, "\(name): \(bytes.count) bytes")
            }
        }
    }
}

/// What the one run of console_browser.py showed, once the server was stopped.
struct ConsoleBrowserRun: Sendable {
    // What the store holds before the browser comes: the group the file steps work in, two bigger groups, a user's
    // private file.
    static let groupID = BotFrameworkTests.groupID
    static let markupName = "<img src=x onerror=alert(1)>"
    static let doomedName = "to delete.txt"
    static let otherGroups: [(id: Int, size: Int)] = [(654321, 200_000), (777, 50_000)]
    static let userID = 20001
    static let privateName = "私聊 notes.txt"
    // What the console makes.
    static let firstUpload = "console upload 一.bin"
    static let secondUpload = "second upload.txt"
    static let folder = "archive 归档"
    static let renamed = "renamed 改名.txt"

    let result: ConsoleBrowserResult
    /// The `group_upload` notices the bot received.
    let notices: [JSONValue]
    /// What a bot lists in the group after the run: the root's files and folders, and the files in `folder`.
    let rootFiles: [String]
    let rootFolders: [String]
    let folderFiles: [String]
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
        let python = try await e2eEnsureVenv(packageRoot: packageRoot)
        let temp = try e2eMakeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let (server, port, serverLog) = try await e2eStartReadyTrefoil(in: temp)
        defer { e2eStop(server) }
        let token = BotFrameworkTests.token

        // Stopping the server ends this connection too, should anything below throw.
        let bot = WSSession(port: port, path: "/", headers: [.authorization: "Bearer \(token)"])
        _ = try await bot.next { $0.isLifecycleConnect }
        try await seed(bot)

        try? FileManager.default.removeItem(atPath: screenshotFolder)
        let byUsage = otherGroups.sorted { $0.size > $1.size }.map(\.id) + [groupID]
        let run = try await e2eRun(
            python,
            [
                packageRoot + "/Tests/console/console_browser.py", "--base", "http://127.0.0.1:\(port)", "--token",
                token, "--screenshots", screenshotFolder, "--work", temp + "/browser", "--timeout", "150",
                "--group-id", "\(groupID)", "--groups", "\(otherGroups.count + 1)", "--groups-by-usage",
                byUsage.map(String.init).joined(separator: ","), "--xss-name", markupName, "--doomed-name", doomedName,
                "--user-id", "\(userID)", "--private-name", privateName, "--first-upload", firstUpload,
                "--second-upload", secondUpload, "--folder", folder, "--renamed", renamed,
            ],
            directory: temp, environment: e2eCleanEnvironment(), timeout: .seconds(170))
        let result = try decodeResult(run, trefoilLog: e2eRead(serverLog))
        // The notices of the console's uploads may trail the page's reload a little.
        for upload in result.uploads ?? [] {
            _ = try? await bot.next(timeout: .seconds(10)) {
                $0.json["notice_type"] == "group_upload" && $0.json["file"]?["name"] == .string(upload.name)
            }
        }
        let notices = bot.received.filter { $0.json["notice_type"] == "group_upload" }.map(\.json)
        let root = try await bot.call("get_group_root_files", ["group_id": .int(Int64(groupID))])
        let folders = root.data["folders"]?.arrayValue ?? []
        let folderID = folders.first { $0["folder_name"] == .string(folder) }?["folder_id"]
        var folderFiles: [String] = []
        if let folderID {
            let listing = try await bot.call(
                "get_group_files_by_folder", ["group_id": .int(Int64(groupID)), "folder_id": folderID])
            folderFiles = names(listing.data["files"], key: "file_name")
        }
        await bot.close()
        e2eStop(server)

        let trefoilLog = e2eRead(serverLog)
        return ConsoleBrowserRun(
            result: result, notices: notices, rootFiles: names(root.data["files"], key: "file_name"),
            rootFolders: names(root.data["folders"], key: "folder_name"), folderFiles: folderFiles,
            context: context(run, trefoilLog: trefoilLog),
            trefoilExitedCleanly: !server.wasSignaled && server.terminationStatus == 0)
    }

    /// Puts in the files the script expects, as a bot: each upload must succeed.
    static func seed(_ bot: WSSession) async throws {
        var uploads: [(action: String, params: JSONValue)] = [
            (
                "upload_group_file",
                [
                    "group_id": .int(Int64(groupID)), "file": .string(base64(Array("markup".utf8))),
                    "name": .string(markupName),
                ]
            ),
            (
                "upload_group_file",
                [
                    "group_id": .int(Int64(groupID)), "file": .string(base64(Array("delete me".utf8))),
                    "name": .string(doomedName),
                ]
            ),
            (
                "upload_private_file",
                [
                    "user_id": .int(Int64(userID)), "file": .string(base64(Array("private".utf8))),
                    "name": .string(privateName),
                ]
            ),
        ]
        for (id, size) in otherGroups {
            let bytes = pseudoRandomBytes(size, seed: UInt64(id))
            uploads.append(
                ("upload_group_file", ["group_id": .int(Int64(id)), "file": .string(base64(bytes)), "name": "big.bin"]))
        }
        for (action, params) in uploads {
            let answer = try await bot.call(action, params)
            guard answer.isOK else { throw E2ESetupError(description: "seeding: \(action) answered \(answer)") }
        }
    }

    /// Decodes the script's JSON result line, whether or not every step passed.
    static func decodeResult(_ run: E2ERunResult, trefoilLog: String) throws -> ConsoleBrowserResult {
        guard let line = run.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
            throw E2ESetupError(
                description: "console_browser.py printed no JSON result line; stdout:\n"
                    + "\(e2eTail(run.output, lines: 3, characters: 1500))\n\(context(run, trefoilLog: trefoilLog))")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ConsoleBrowserResult.self, from: Data(line.utf8))
    }

    static func context(_ run: E2ERunResult, trefoilLog: String) -> String {
        "python exited \(run.status)\(run.timedOut ? " (killed after 170 s)" : ""), stderr (tail):\n"
            + "\(e2eTail(run.errors))\ntrefoil log (tail):\n\(e2eTail(trefoilLog))"
    }

    static func names(_ items: JSONValue?, key: String) -> [String] {
        (items?.arrayValue ?? []).compactMap { $0[key]?.stringValue }.sorted()
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
