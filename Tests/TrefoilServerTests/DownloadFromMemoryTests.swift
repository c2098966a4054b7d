import Foundation
import HTTPTypes
import Testing
import TrefoilCore
import TrefoilTestSupport

@testable import TrefoilServer

/// A signed link to a file read a moment ago is answered from memory, on the event loop (`DownloadRoute.resolveNow`,
/// `FileTree.cachedFile`): these pin that what memory answers is never older than the store.
@Suite("Downloads answered from memory", .timeLimit(.minutes(3)), .stopsLiveServers)
struct DownloadFromMemoryTests {
    /// Uploads `bytes` to group 9 as `name`; returns the file id and the download link's path and query.
    func upload(_ server: LiveServer, _ bytes: [UInt8], name: String = "a.bin") async throws -> (String, String) {
        let data = try await HTTPCaller(server: server).ok(
            "upload_group_file", ["group_id": 9, "file": .string(base64(bytes)), "name": .string(name)])
        let url = try #require(data["url"]?.stringValue)
        return (try #require(data["file_id"]?.stringValue), String(url.dropFirst(server.base.count)))
    }

    @Test(
        "repeated downloads of a small and a large file give the same bytes and headers; a rename shows in the next one",
        arguments: [4_096, 40_000])
    func renameShowsAtOnce(size: Int) async throws {
        let server = try await LiveServer.start()
        let bytes = pseudoRandomBytes(size, seed: 11)
        let (id, path) = try await upload(server, bytes, name: "before.bin")
        for _ in 0..<3 {
            let answer = try await server.request(path)
            #expect(answer.status == .ok)
            #expect(Array(buffer: answer.body ?? .init()) == bytes)
            #expect(answer.headers[.contentDisposition]?.contains("before.bin") == true)
        }
        let ranged = try await server.request(path, headers: [.range: "bytes=10-19"])
        #expect(ranged.status == .partialContent)
        #expect(Array(buffer: ranged.body ?? .init()) == Array(bytes[10...19]))
        _ = try await HTTPCaller(server: server).ok(
            "rename_group_file", ["group_id": 9, "file_id": .string(id), "new_name": "after.bin"])
        let renamed = try await server.request(path)
        #expect(renamed.headers[.contentDisposition]?.contains("after.bin") == true)
        #expect(Array(buffer: renamed.body ?? .init()) == bytes)
        await server.stop()
    }

    @Test("a deleted file's link answers 404 at once, though it was just downloaded")
    func deleteShowsAtOnce() async throws {
        let server = try await LiveServer.start()
        let (id, path) = try await upload(server, pseudoRandomBytes(2_000, seed: 12))
        #expect(try await server.request(path).status == .ok)
        _ = try await HTTPCaller(server: server).ok("delete_group_file", ["group_id": 9, "file_id": .string(id)])
        let gone = try await server.request(path)
        #expect(gone.status == .notFound)
        #expect(String(buffer: gone.body ?? .init()) == "this file has been deleted\n")
        await server.stop()
    }

    @Test("a file whose dead time passes stops being served from memory without any write")
    func expiryShowsAtOnce() async throws {
        let clock = TestClock()
        let server = try await LiveServer.start(clock: clock) { $0.spaces.group.fileDays = 1 }
        let (_, path) = try await upload(server, pseudoRandomBytes(2_000, seed: 13))
        #expect(try await server.request(path).status == .ok)
        clock.advance(days: 2)
        #expect(try await server.request(path).status == .notFound)
        await server.stop()
    }

    @Test("three hundred downloads of a small file pipelined in one write all come back, in order")
    func longPipelineFromMemory() async throws {
        let server = try await LiveServer.start()
        let bytes = pseudoRandomBytes(1_000, seed: 14)
        let (_, path) = try await upload(server, bytes)
        #expect(try await server.request(path).status == .ok)
        let one = "GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n"
        let request =
            String(repeating: one, count: 300) + "GET /get_status HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        let pipeline = DownloadPipelineTests()
        let answers = pipeline.responses(try await pipeline.exchange(port: server.port, request))
        #expect(answers.count == 301)
        #expect(answers.dropLast().allSatisfy { $0.status == 200 && $0.body == bytes })
        #expect(answers.last?.text.contains("\"online\":true") == true)
        await server.stop()
    }

    @Test("a link served once stops working when it expires, and an altered signature beside it is still refused")
    func verifiedLinkExpires() async throws {
        // Long enough that a loaded machine still asks within it; the wait below is until the link's own expiry.
        let server = try await LiveServer.start { $0.download.urlTTLSeconds = 10 }
        let (_, path) = try await upload(server, pseudoRandomBytes(2_000, seed: 15))
        let expires = try #require(
            path.split(separator: "?").last?.split(separator: "&").first { $0.hasPrefix("expires=") }
                .flatMap { Int64($0.dropFirst("expires=".count)) })
        #expect(try await server.request(path).status == .ok)
        #expect(try await server.request(path).status == .ok)
        let forged = path.replacingOccurrences(of: "sig=", with: "sig=A")
        #expect(try await server.request(forged).status == .forbidden)
        // A link is valid while its expiry is later than the whole second now.
        while Int64(Date().timeIntervalSince1970) <= expires { try await Task.sleep(for: .milliseconds(200)) }
        let expired = try await server.request(path)
        #expect(expired.status == .forbidden)
        #expect(String(buffer: expired.body ?? .init()).contains("forged or has expired"))
        await server.stop()
    }

    @Test("download paths: /files/<id> and /files/<id>/<name> are links, any other shape is not")
    func linkPathShapes() {
        for path in ["/files/abc", "/files/abc/name.bin", "/files/abc/"] {
            #expect(SignedLinkRoute.fileID(inPath: Substring(path))?.rawValue == "/abc", "\(path)")
        }
        for path in ["/files/", "/files//name", "/files/abc/a/b", "/filesabc", "/file/abc", "/get_status"] {
            #expect(SignedLinkRoute.fileID(inPath: Substring(path)) == nil, "\(path)")
        }
    }

    @Test(
        "a verified link is kept until it expires, under its exact path and query, and the memory starts over when full"
    )
    func verifiedLinksMemory() {
        let links = VerifiedLinks(capacity: 2)
        let id = FileID("/one")
        links.remember(path: "/files/one", query: "expires=100&sig=x", id: id, expires: 100)
        #expect(links.file(path: "/files/one", query: "expires=100&sig=x", now: 99) == id)
        #expect(links.file(path: "/files/one", query: "expires=100&sig=x", now: 100) == nil)
        #expect(links.file(path: "/files/one", query: "expires=100&sig=y", now: 50) == nil)
        #expect(links.file(path: "/files/one/a.bin", query: "expires=100&sig=x", now: 50) == nil)
        links.remember(path: "/files/two", query: "q", id: FileID("/two"), expires: 100)
        links.remember(path: "/files/three", query: "q", id: FileID("/three"), expires: 100)
        #expect(links.count == 1)
        #expect(links.file(path: "/files/three", query: "q", now: 50) == FileID("/three"))
    }

    @Test(
        "a prepared answer gives the same head and bytes again; HEAD, Range and If-None-Match after it are answered apart"
    )
    func preparedAnswerKeepsSemantics() async throws {
        let server = try await LiveServer.start()
        let bytes = pseudoRandomBytes(3_000, seed: 16)
        let (_, path) = try await upload(server, bytes, name: "prepared.bin")
        // The first fills the file cache, the second prepares the answer, the third is written as it was prepared.
        let first = try await server.request(path)
        let second = try await server.request(path)
        let third = try await server.request(path)
        for answer in [first, second, third] {
            #expect(answer.status == .ok)
            #expect(Array(buffer: answer.body ?? .init()) == bytes)
            #expect(answer.headers[.contentLength] == "3000")
        }
        #expect(second.headers == first.headers)
        #expect(third.headers == first.headers)
        let head = try await server.request(path, method: .head)
        #expect(head.status == .ok)
        #expect(head.headers[.contentLength] == "3000")
        #expect(head.headers[.eTag] == first.headers[.eTag])
        #expect((head.body?.readableBytes ?? 0) == 0)
        let tag = try #require(first.headers[.eTag])
        #expect(try await server.request(path, headers: [.ifNoneMatch: tag]).status == .notModified)
        let tail = try await server.request(path, headers: [.range: "bytes=-10"])
        #expect(tail.status == .partialContent)
        #expect(tail.headers[.contentRange] == "bytes 2990-2999/3000")
        #expect(Array(buffer: tail.body ?? .init()) == Array(bytes[2990...]))
        await server.stop()
    }
}
