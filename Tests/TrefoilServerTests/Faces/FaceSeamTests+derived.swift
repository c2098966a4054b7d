import Foundation
import HTTPTypes
import NIOCore
import Testing
import TrefoilCore
import TrefoilTestSupport

extension FaceSeamTests {
    @Test(
        "a derived blob is served like a file: whole, Range, ETag, If-None-Match, HEAD, its media type and name; no download is counted"
    )
    func derivedDownload() async throws {
        let server = try await Self.start()
        let bytes = pseudoRandomBytes(5000, seed: 11)
        let upload = try await server.request(
            "/testface/raw/42?name=photo.bin", method: .post, headers: Self.faceHeader,
            body: ByteBuffer(bytes: bytes))
        let file = try Self.uploaded(upload)
        let url = "/testface/blobs/\(file.id)?preview=1"
        let reversed = Array(bytes.reversed())
        let etag = "\"\(sha256Hex(reversed))\""

        let whole = try await server.request(url, headers: Self.faceHeader)
        #expect(whole.status == .ok)
        #expect(Self.bytes(whole) == reversed)
        #expect(whole.headers[.eTag] == etag)
        #expect(whole.headers[.contentType] == TestFaceBlobs.previewType)
        #expect(whole.headers[.contentLength] == "5000")
        #expect(whole.headers[.acceptRanges] == "bytes")
        #expect(
            whole.headers[.contentDisposition]
                == "attachment; filename=\"reversed photo.bin\"; filename*=UTF-8''reversed%20photo.bin")
        let part = try await server.request(url, headers: Self.faceHeader([.range: "bytes=10-19"]))
        #expect(part.status == .partialContent)
        #expect(part.headers[.contentRange] == "bytes 10-19/5000")
        #expect(Self.bytes(part) == Array(reversed[10...19]))
        let beyond = try await server.request(url, headers: Self.faceHeader([.range: "bytes=5000-"]))
        #expect(beyond.status == .rangeNotSatisfiable)
        #expect(beyond.headers[.contentRange] == "bytes */5000")
        let unchanged = try await server.request(url, headers: Self.faceHeader([.ifNoneMatch: etag]))
        #expect(unchanged.status == .notModified)
        #expect(Self.bytes(unchanged).isEmpty)
        let head = try await server.request(url, method: .head, headers: Self.faceHeader)
        #expect(head.status == .ok)
        #expect(head.headers[.contentLength] == "5000")
        #expect(head.headers[.contentType] == TestFaceBlobs.previewType)
        #expect(Self.bytes(head).isEmpty)

        let tree = server.gateway.tree
        try await tree.flushDownloadCounts()
        #expect(try await tree.file(FileID("/" + file.id)).downloadTimes == 0)
        // The file itself still counts, so the zero above is the derived blob's doing.
        _ = try await server.request("/testface/blobs/\(file.id)", headers: Self.faceHeader)
        try await tree.flushDownloadCounts()
        #expect(try await tree.file(FileID("/" + file.id)).downloadTimes == 1)

        let stored = try await tree.file(FileID("/" + file.id))
        let derived = try #require(try await tree.derived(from: stored, variant: TestFaceBlobs.previewVariant))
        #expect(derived == DerivedBlob(sha256: sha256Hex(reversed), size: 5000, mediaType: TestFaceBlobs.previewType))
        #expect(try await tree.checkConsistency(repair: false).isClean)
        await server.stop()
        server.removeFiles()
    }
}
