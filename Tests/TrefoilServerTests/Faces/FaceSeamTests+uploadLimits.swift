import Foundation
import HTTPTypes
import NIOCore
import Testing
import TrefoilCore
import TrefoilTestSupport

#if canImport(Glibc)
    import Glibc
#endif

extension FaceSeamTests {
    static let formBoundary = "----face-limit-boundary"

    static func form(file bytes: [UInt8]) -> ByteBuffer {
        multipartBody(
            [("note", "a field", nil), ("file", nil, (name: "f.bin", bytes: bytes))], boundary: formBoundary)
    }

    @Test(
        "a call's own file limit: a raw body or a form's file part over it is 413 file_too_large with the limit; one at it is stored"
    )
    func perCallFileLimit() async throws {
        let server = try await Self.start { $0.server.maxBodyBytes = 1 << 20 }
        let raw = Self.faceHeader([.contentType: "application/octet-stream"])
        let form = Self.faceHeader([.contentType: "multipart/form-data; boundary=\(Self.formBoundary)"])

        let rawAt = try await server.request(
            "/testface/raw/44?name=at.bin&max=1000", method: .post, headers: raw,
            body: ByteBuffer(bytes: pseudoRandomBytes(1000, seed: 1)))
        #expect(rawAt.status == .ok, "\(Self.text(rawAt))")
        let rawOver = try await server.request(
            "/testface/raw/44?name=over.bin&max=1000", method: .post, headers: raw,
            body: ByteBuffer(bytes: pseudoRandomBytes(1001, seed: 2)))
        #expect(rawOver.status == .contentTooLarge)
        #expect(Self.text(rawOver) == #"{"error":"file_too_large","limit":1000}"#)
        // A limit above server.max_body_bytes is capped by it.
        let rawCapped = try await server.request(
            "/testface/raw/44?name=capped.bin&max=\(1 << 30)", method: .post, headers: raw,
            body: ByteBuffer(bytes: pseudoRandomBytes((1 << 20) + 1, seed: 3)))
        #expect(rawCapped.status == .contentTooLarge)
        #expect(Self.text(rawCapped) == #"{"error":"file_too_large","limit":1048576}"#)

        // The form's framing and fields do not count toward the file's limit.
        let formAt = try await server.request(
            "/testface/form/44?max=1000", method: .post, headers: form,
            body: Self.form(file: pseudoRandomBytes(1000, seed: 4)))
        #expect(formAt.status == .ok, "\(Self.text(formAt))")
        #expect(try Self.uploaded(formAt).fields == ["note": "a field"])
        let formOver = try await server.request(
            "/testface/form/44?max=1000", method: .post, headers: form,
            body: Self.form(file: pseudoRandomBytes(1001, seed: 5)))
        #expect(formOver.status == .contentTooLarge)
        #expect(Self.text(formOver) == #"{"error":"file_too_large","limit":1000}"#)
        // The whole body is still bounded by server.max_body_bytes, in its own words.
        let formBody = try await server.request(
            "/testface/form/44?max=\(1 << 30)", method: .post, headers: form,
            body: Self.form(file: pseudoRandomBytes(1 << 20, seed: 6)))
        #expect(formBody.status == .contentTooLarge)
        #expect(Self.text(formBody) == #"{"error":"too_large"}"#)

        let tree = server.gateway.tree
        #expect(try await tree.fileSystemInfo(of: .group("44")).fileCount == 2)
        #expect(try await tree.checkConsistency(repair: false).isClean)
        await server.stop()
        server.removeFiles()
    }

    @Test(
        "over a call's file limit the refusal comes before the rest of the body: at once for a Content-Length over it, when a streamed file passes it"
    )
    func refusedBeforeTheRest() async throws {
        let server = try await Self.start()
        let port = server.port
        let token = "\(TestFaceAuth.header.rawName): \(Self.faceToken)"
        /// Sends `head` and `body` and reads the answer, while the body the head promised never ends.
        func answer(_ head: String, _ body: [UInt8] = []) async throws -> String {
            try await offCooperativePool {
                let fd = try loopbackSocket(port: port)
                defer { close(fd) }
                try sendAll(fd, Array(head.utf8) + body)
                let answer = readFromSocket(fd) { String(decoding: $0, as: UTF8.self).hasSuffix("}") }
                return String(decoding: answer, as: UTF8.self)
            }
        }
        let limitAnswer = #"{"error":"file_too_large","limit":1000}"#

        let declared = try await answer(
            "POST /testface/raw/45?name=x&max=1000 HTTP/1.1\r\nHost: t\r\n\(token)\r\nContent-Length: 1000000\r\n\r\n")
        #expect(declared.hasPrefix("HTTP/1.1 413"), "\(declared)")
        #expect(declared.hasSuffix(limitAnswer), "\(declared)")

        let chunk = [UInt8](repeating: 0x78, count: 1100)
        let chunked = try await answer(
            "POST /testface/raw/45?name=x&max=1000 HTTP/1.1\r\nHost: t\r\n\(token)\r\nTransfer-Encoding: chunked\r\n\r\n"
                + String(chunk.count, radix: 16) + "\r\n", chunk + Array("\r\n".utf8))
        #expect(chunked.hasPrefix("HTTP/1.1 413"), "\(chunked)")
        #expect(chunked.hasSuffix(limitAnswer), "\(chunked)")

        let part = "--\(Self.formBoundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n"
        let streamed = try await answer(
            "POST /testface/form/45?max=1000 HTTP/1.1\r\nHost: t\r\n\(token)\r\n"
                + "Content-Type: multipart/form-data; boundary=\(Self.formBoundary)\r\nContent-Length: 1000000\r\n\r\n"
                + part, chunk)
        #expect(streamed.hasPrefix("HTTP/1.1 413"), "\(streamed)")
        #expect(streamed.hasSuffix(limitAnswer), "\(streamed)")

        let tree = server.gateway.tree
        #expect(try await tree.fileSystemInfo(of: .group("45")).fileCount == 0)
        #expect(try await tree.checkConsistency(repair: false).isClean)
        await server.stop()
        server.removeFiles()
    }
}
