import Foundation
import HTTPTypes
import NIOCore
import OneBotV11
import Testing
import TrefoilCore
import TrefoilJSON
import TrefoilTestSupport

@Suite("HTTP API rules", .timeLimit(.minutes(3)), .stopsLiveServers)
struct HTTPAPITests {
    @Test("GET with query params, trailing slash, form and JSON bodies, with body params winning over the query")
    func paramSources() async throws {
        let server = try await LiveServer.start()
        let get = try Envelope(try await server.request("/get_group_file_system_info?group_id=42").body ?? .init())
        #expect(get.isOK)
        #expect(get.data["group_id"] == 42)
        let slash = try await server.request("/get_group_file_system_info/?group_id=43")
        #expect(slash.status == .ok)
        #expect(try Envelope(slash.body ?? .init()).data["group_id"] == 43)
        let form = try await server.request(
            "/get_group_file_system_info?group_id=1", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "group_id=44"))
        #expect(try Envelope(form.body ?? .init()).data["group_id"] == 44)
        let json = try await server.request(
            "/get_group_file_system_info?group_id=1", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"group_id": "45"}"#))
        #expect(try Envelope(json.body ?? .init()).data["group_id"] == 45)
        await server.stop()
        server.removeFiles()
    }

    @Test("POST / with a whole envelope returns the echo; status codes 400, 404, 406, 413 and 200 for failed actions")
    func statusCodes() async throws {
        let server = try await LiveServer.start { $0.server.maxRequestBytes = 2000 }
        let envelope = try await server.request(
            "/", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"action":"get_login_info","echo":{"n":[1,2]}}"#))
        #expect(envelope.status == .ok)
        let decoded = try Envelope(envelope.body ?? .init())
        #expect(decoded.isOK)
        #expect(decoded.echo == ["n": [1, 2]])

        let unknown = try await server.request(
            "/", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"action":"nope","echo":1}"#))
        #expect(unknown.status == .notFound)
        #expect(try Envelope(unknown.body ?? .init()).retcode == 1404)
        #expect(try Envelope(unknown.body ?? .init()).echo == 1)

        let notJSON = try await server.request(
            "/", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{oops"))
        #expect(notJSON.status == .badRequest)
        #expect(try Envelope(notJSON.body ?? .init()).retcode == 1400)

        let notFound = try await server.request("/no_such_action")
        #expect(notFound.status == .notFound)
        #expect(try Envelope(notFound.body ?? .init()).msg == "API_NOT_FOUND")

        let badJSON = try await server.request(
            "/get_status", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "[1"))
        #expect(badJSON.status == .badRequest)

        let plain = try await server.request(
            "/get_status", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "hi"))
        #expect(plain.status == .notAcceptable)
        #expect(try Envelope(plain.body ?? .init()).retcode == 1400)

        let tooLarge = try await server.request(
            "/get_status", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"pad":""# + String(repeating: "x", count: 3000) + #""}"#))
        #expect(tooLarge.status == .contentTooLarge)

        let failedAction = try await server.request("/delete_group_file?group_id=1&file_id=/missing")
        #expect(failedAction.status == .ok)
        #expect(try Envelope(failedAction.body ?? .init()).retcode == 35001)
        await server.stop()
        server.removeFiles()
    }

    @Test("with an access token: none is 401, a wrong one 403, Bearer, Token and the query all work")
    func accessToken() async throws {
        let server = try await LiveServer.start(token: "s3cret")
        let missing = try await server.request("/get_login_info")
        #expect(missing.status == .unauthorized)
        let missingBody = try Envelope(missing.body ?? .init())
        #expect(missingBody.retcode == 1401)
        #expect(missingBody.msg == "UNAUTHORIZED")
        let wrong = try await server.request("/get_login_info", headers: [.authorization: "Bearer nope"])
        #expect(wrong.status == .forbidden)
        #expect(try Envelope(wrong.body ?? .init()).retcode == 1403)
        #expect(try await server.request("/get_login_info?access_token=nope").status == .forbidden)
        #expect(try await server.request("/get_login_info", headers: [.authorization: "Bearer s3cret"]).status == .ok)
        #expect(try await server.request("/get_login_info", headers: [.authorization: "Token s3cret"]).status == .ok)
        #expect(try await server.request("/get_login_info?access_token=s3cret").status == .ok)
        let envelope = try await server.request(
            "/", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"action":"get_status"}"#))
        #expect(envelope.status == .unauthorized)
        #expect(try await server.request("/health").status == .ok)
        await server.stop()
        server.removeFiles()
    }
}

@Suite("Shutdown with requests under way", .timeLimit(.minutes(3)), .stopsLiveServers)
struct ShutdownTests {
    @Test("an HTTP upload still streaming in when the shutdown begins is completed, answered and kept")
    func httpUploadFinishes() async throws {
        let server = try await LiveServer.start()
        let body = pseudoRandomBytes(300_000, seed: 11)
        let socket = try loopbackSocket(port: server.port)
        defer { close(socket) }
        let head = Array(
            ("PUT /upload_group_file?group_id=42&name=late.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n").utf8)
        #expect(send(socket, head + body[..<100_000], head.count + 100_000, 0) == head.count + 100_000)
        try await Task.sleep(for: .milliseconds(200))
        let stopping = Task { await server.stop() }
        try await Task.sleep(for: .milliseconds(500))
        let rest = Array(body[100_000...])
        #expect(send(socket, rest, rest.count, 0) == rest.count)
        let answer = try await offCooperativePool { readFromSocket(socket) }
        await stopping.value
        let text = String(decoding: answer, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200"), "\(text.prefix(300))")
        #expect(text.contains(#""sha256":"\#(sha256Hex(body))""#), "\(text.prefix(600))")
        // Kept: the store, opened again, holds it.
        let reopened = try await LiveServer.start(root: server.root)
        let listing = try await reopened.call("get_group_root_files", ["group_id": 42])
        #expect(listing.data["files"]?.arrayValue?.first?["file_size"]?.intValue == Int64(body.count))
        await reopened.stop()
        reopened.removeFiles()
    }

}

@Suite("Signed downloads", .timeLimit(.minutes(3)), .stopsLiveServers)
struct DownloadTests {
    func upload(_ server: LiveServer, _ bytes: [UInt8], name: String) async throws -> (id: String, url: String) {
        let data = try await HTTPCaller(server: server).ok(
            "upload_group_file", ["group_id": 9, "file": .string(base64(bytes)), "name": .string(name)])
        return (try #require(data["file_id"]?.stringValue), try #require(data["url"]?.stringValue))
    }

    func path(_ url: String, _ server: LiveServer) -> String { String(url.dropFirst(server.base.count)) }

    @Test("GET streams the exact bytes with ETag, length, type and an RFC 5987 name, and counts the download")
    func fullDownload() async throws {
        let server = try await LiveServer.start()
        let bytes = pseudoRandomBytes(300_000)
        let (id, url) = try await upload(server, bytes, name: "报告 2024.pdf")
        let response = try await server.request(path(url, server))
        #expect(response.status == .ok)
        #expect(response.body.map { Array($0.readableBytesView) } == bytes)
        #expect(response.headers[.eTag] == "\"\(sha256Hex(bytes))\"")
        #expect(response.headers[.contentLength] == "300000")
        #expect(response.headers[.contentType] == "application/pdf")
        #expect(response.headers[.acceptRanges] == "bytes")
        #expect(
            response.headers[.contentDisposition]
                == "attachment; filename=\"__ 2024.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%202024.pdf")
        // Counts reach listings with the next flush (download.count_flush_interval_ms, 1 s by default).
        var times: JSONValue?
        for _ in 0..<200 where times != 1 {
            let info = try await HTTPCaller(server: server).ok(
                "get_group_files_by_folder", ["group_id": 9, "folder_id": "/"])
            times = info["files"]?.arrayValue?.first { $0["file_id"] == .string(id) }?["download_times"]
            if times != 1 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(times == 1)
        await server.stop()
        server.removeFiles()
    }

    @Test("Range: 206 with Content-Range, suffix ranges, 416 past the end; HEAD sends headers only; neither counts")
    func ranges() async throws {
        let server = try await LiveServer.start()
        let bytes = pseudoRandomBytes(1000)
        let (id, url) = try await upload(server, bytes, name: "r.bin")
        let part = try await server.request(path(url, server), headers: [.range: "bytes=10-19"])
        #expect(part.status == .partialContent)
        #expect(part.headers[.contentRange] == "bytes 10-19/1000")
        #expect(part.body.map { Array($0.readableBytesView) } == Array(bytes[10...19]))
        let suffix = try await server.request(path(url, server), headers: [.range: "bytes=-5"])
        #expect(suffix.status == .partialContent)
        #expect(suffix.body.map { Array($0.readableBytesView) } == Array(bytes[995...]))
        let open = try await server.request(path(url, server), headers: [.range: "bytes=990-"])
        #expect(open.headers[.contentRange] == "bytes 990-999/1000")
        let past = try await server.request(path(url, server), headers: [.range: "bytes=5000-"])
        #expect(past.status == .rangeNotSatisfiable)
        #expect(past.headers[.contentRange] == "bytes */1000")
        let head = try await server.request(path(url, server), method: .head)
        #expect(head.status == .ok)
        #expect(head.headers[.contentLength] == "1000")
        #expect(head.body == nil || head.body?.readableBytes == 0)
        let notModified = try await server.request(
            path(url, server), headers: [.ifNoneMatch: "\"\(sha256Hex(bytes))\""])
        #expect(notModified.status == .notModified)
        try await server.gateway.tree.flushDownloadCounts()
        let info = try await HTTPCaller(server: server).ok("get_group_root_files", ["group_id": 9])
        #expect(info["files"]?.arrayValue?.first { $0["file_id"] == .string(id) }?["download_times"] == 0)
        await server.stop()
        server.removeFiles()
    }

    @Test("a forged or expired signature is 403, a deleted file 404; no token is needed")
    func refusals() async throws {
        let server = try await LiveServer.start(token: "t")
        let bot = HTTPCaller(server: server)
        let data = try await bot.ok(
            "upload_group_file", ["group_id": 9, "file": .string(base64([1, 2])), "name": "x"])
        let id = try #require(data["file_id"]?.stringValue)
        let url = try #require(data["url"]?.stringValue)
        #expect(try await server.request(path(url, server)).status == .ok)
        let forged = path(url, server).replacingOccurrences(of: "sig=", with: "sig=A")
        #expect(try await server.request(forged).status == .forbidden)
        let past = Int64(Date().timeIntervalSince1970) - 10
        let signature = server.gateway.signer.signature(.download, subject: id, expires: past)
        #expect(try await server.request("/files\(id)?expires=\(past)&sig=\(signature)").status == .forbidden)
        let otherFile = "/files/00000000-0000-0000-0000-000000000000?" + (url.split(separator: "?").last ?? "")
        #expect(try await server.request(otherFile).status == .forbidden)
        _ = try await bot.ok("delete_group_file", ["group_id": 9, "file_id": .string(id)])
        #expect(try await server.request(path(url, server)).status == .notFound)
        await server.stop()
        server.removeFiles()
    }

    @Test("an empty file downloads as 200 with Content-Length 0")
    func emptyFile() async throws {
        let server = try await LiveServer.start()
        let (_, url) = try await upload(server, [], name: "empty.txt")
        let response = try await server.request(path(url, server))
        #expect(response.status == .ok)
        #expect(response.headers[.contentLength] == "0")
        await server.stop()
        server.removeFiles()
    }
}
