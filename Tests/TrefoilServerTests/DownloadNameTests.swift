import Foundation
import Testing
import TrefoilTestSupport

/// Names that a link could lose to a client's URL handling: dot segments (which clients resolve away), things
/// that look like their percent-encoding, reserved characters, spaces and non-ASCII. Each is given as sent and as
/// stored (a file name's `/` and `\` become `_`, and it is trimmed).
let awkwardFileNames: [(given: String, stored: String)] = [
    (".", "."), ("..", ".."), (" .. ", ".."), ("...", "..."), ("a/b", "a_b"), ("../..", ".._.."), ("a\\..", "a_.."),
    ("%2e%2e", "%2e%2e"), ("%2E.", "%2E."), (".%2e", ".%2e"), ("q?x#y z.txt", "q?x#y z.txt"), ("50% off", "50% off"),
    ("a;b=c&d", "a;b=c&d"), ("名前 ü.bin", "名前 ü.bin"), ("..hidden", "..hidden"),
]

/// Uploads one file per awkward name into `group`; returns each name's bytes and signed link.
func uploadAwkwardNames(_ server: LiveServer, group: Int64) async throws -> [(
    stored: String, bytes: [UInt8], url: String
)] {
    var files: [(String, [UInt8], String)] = []
    for (index, name) in awkwardFileNames.enumerated() {
        let bytes = pseudoRandomBytes(1000 + index, seed: UInt64(index + 1))
        let data = try await HTTPCaller(server: server).ok(
            "upload_group_file", ["group_id": .int(group), "file": .string(base64(bytes)), "name": .string(name.given)])
        files.append((name.stored, bytes, try #require(data["url"]?.stringValue)))
    }
    return files
}

extension DownloadTests {
    @Test(
        "every stored name, . and .. included, downloads byte for byte through its link with curl, wget and the raw request target, named exactly in Content-Disposition"
    )
    func awkwardNamesDownloadThroughTheirLinks() async throws {
        let server = try await LiveServer.start()
        let temp = try e2eMakeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let files = try await uploadAwkwardNames(server, group: 9)
        let stored = try await HTTPCaller(server: server).ok("get_group_root_files", ["group_id": 9])
        #expect(
            Set(stored["files"]?.arrayValue?.compactMap { $0["file_name"]?.stringValue } ?? [])
                == Set(awkwardFileNames.map(\.stored)))
        for (index, file) in files.enumerated() {
            let raw = try await server.request(path(file.url, server))
            #expect(raw.status == .ok, "\(file.stored): \(file.url)")
            #expect(raw.body.map { sha256Hex(Array($0.readableBytesView)) } == sha256Hex(file.bytes), "\(file.stored)")
            let disposition = raw.headers[.contentDisposition] ?? ""
            let encoded = disposition.components(separatedBy: "filename*=UTF-8''").last ?? ""
            #expect(encoded.removingPercentEncoding == file.stored, "\(disposition)")

            for client in ["curl", "wget"] {
                let output = temp + "/\(client)-\(index)"
                let arguments =
                    client == "curl" ? ["-sS", "--fail", "-o", output, file.url] : ["-q", "-O", output, file.url]
                let run = try await e2eRun(
                    "/usr/bin/" + client, arguments, environment: e2eCleanEnvironment(), timeout: .seconds(30))
                #expect(run.status == 0, "\(client) \(file.url): \(run.errors)")
                let downloaded = FileManager.default.contents(atPath: output).map { sha256Hex(Array($0)) }
                #expect(downloaded == sha256Hex(file.bytes), "\(client): \(file.stored) through \(file.url)")
            }
        }
        await server.stop()
        server.removeFiles()
    }
}

extension UploadSourceTests {
    @Test("download_file refuses the names . and .. with 10003 before fetching or writing anything")
    func downloadFileDotNames() async throws {
        let server = try await LiveServer.start()
        let bot = HTTPCaller(server: server)
        let origin = try await bot.ok(
            "upload_group_file", ["group_id": 1, "file": .string(base64([1, 2, 3])), "name": "origin.bin"])
        let url = try #require(origin["url"])
        for name in [".", "..", " .. "] {
            let fromBase64 = try await bot.fails(
                "download_file", ["base64": "aGVsbG8=", "name": .string(name)], retcode: 10003, msg: "BAD_PARAM")
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            #expect(fromBase64 == "invalid [name]: \"\(trimmed)\" cannot name a file on disk")
            try await bot.fails("download_file", ["url": url, "name": .string(name)], retcode: 10003, msg: "BAD_PARAM")
        }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: server.dataDir + "/cache")) ?? [] == [])
        await server.stop()
        server.removeFiles()
    }
}

extension BotFrameworkTests {
    @Test("httpx, as NoneBot2's HTTP driver uses it, downloads every stored name, . and .. included, through its link")
    func httpxDownloadsAwkwardNames() async throws {
        let python = try await e2eEnsureVenv(packageRoot: e2ePackageRoot())
        let server = try await LiveServer.start()
        let files = try await uploadAwkwardNames(server, group: 3)
        let script = """
            import hashlib, sys, httpx
            for url in sys.argv[1:]:
                response = httpx.get(url)
                print(response.status_code, hashlib.sha256(response.content).hexdigest())
            """
        let run = try await e2eRun(
            python, ["-c", script] + files.map(\.url), environment: e2eCleanEnvironment(), timeout: .seconds(60))
        #expect(run.status == 0, "\(run.errors)")
        let lines = run.output.split(separator: "\n").map(String.init)
        #expect(lines == files.map { "200 \(sha256Hex($0.bytes))" }, "\(zip(files.map(\.stored), lines).map { $0 })")
        await server.stop()
        server.removeFiles()
    }
}
