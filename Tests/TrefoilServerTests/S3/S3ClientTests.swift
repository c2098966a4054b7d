import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import Testing
import TrefoilTestSupport

@testable import TrefoilS3

/// The S3 client against moto's S3 server: every call the blob store makes, with exact bytes, sizes and codes.
@Suite("S3 client", .timeLimit(.minutes(10)))
struct S3ClientTests {
    /// A client of a new, empty bucket on the plain server.
    func freshBucket(on server: MotoServer? = nil) async throws -> S3Client {
        let server = if let server { server } else { try await MotoServer.plain() }
        let bucket = "trefoil-\(UUID().uuidString.lowercased().prefix(13))"
        let client = try S3Client(configuration: server.configuration(bucket: bucket), http: s3TestHTTP)
        _ = try await client.send("PUT", key: nil, operation: "CREATE BUCKET \(bucket)")
        return client
    }

    func bytes(of response: HTTPClientResponse) async throws -> [UInt8] {
        Array(buffer: try await response.body.collect(upTo: 64 << 20))
    }

    /// A temp file of `count` deterministic bytes.
    func tempFile(_ count: Int) throws -> (path: String, bytes: [UInt8]) {
        let bytes = pseudoRandomBytes(count, seed: UInt64(count))
        let path = makeTempDirectory(prefix: "trefoil-s3") + "/blob"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    @Test("bytes put under a key read back exactly; HEAD gives the size and the MD5 ETag; DELETE removes them")
    func putHeadGetDelete() async throws {
        let client = try await freshBucket()
        let content = Array("hello, bucket".utf8)
        let etag = try await client.putObject("blobs/a b+c", bytes: ByteBuffer(bytes: content))
        let md5 = md5Hex(content)
        #expect(etag == md5)
        #expect(try await client.headObject("blobs/a b+c") == S3Object(key: "blobs/a b+c", size: 13, etag: md5))
        let response = try await client.getObject("blobs/a b+c")
        #expect(response.status == .ok)
        #expect(try await bytes(of: response) == content)
        try await client.deleteObject("blobs/a b+c")
        #expect(try await client.headObject("blobs/a b+c") == nil)
        // Deleting what is not there succeeds, as S3 answers it.
        try await client.deleteObject("blobs/a b+c")
    }

    @Test("a region of a file streams up as one object, its sha256 signed as the payload's hash")
    func putFileRegion() async throws {
        let client = try await freshBucket()
        let file = try tempFile(3 << 20)
        let region: Range<Int64> = 1000..<(2 << 20)
        let part = Array(file.bytes[Int(region.lowerBound)..<Int(region.upperBound)])
        let sha256 = sha256Hex(part)
        try await client.putObject("blobs/\(sha256)", file: file.path, range: region, sha256: sha256)
        #expect(try await client.headObject("blobs/\(sha256)")?.size == Int64(part.count))
        #expect(try await bytes(of: try await client.getObject("blobs/\(sha256)")) == part)
    }

    @Test("a Range GET answers 206 with exactly the bytes asked for")
    func rangeGet() async throws {
        let client = try await freshBucket()
        let content = Array("0123456789abcdef".utf8)
        try await client.putObject("r", bytes: ByteBuffer(bytes: content))
        let response = try await client.getObject("r", range: 5...9)
        #expect(response.status == .partialContent)
        #expect(response.headers.first(name: "content-range") == "bytes 5-9/16")
        #expect(try await bytes(of: response) == Array("56789".utf8))
    }

    @Test("a multipart upload of 5 MiB parts assembles the file exactly; an aborted one leaves no object")
    func multipart() async throws {
        let client = try await freshBucket()
        let file = try tempFile(11 << 20)
        let size = Int64(file.bytes.count)
        let id = try await client.createMultipartUpload("big")
        var parts: [S3Part] = []
        let partSize: Int64 = 5 << 20
        var start: Int64 = 0
        while start < size {
            let end = Swift.min(size, start + partSize)
            let etag = try await client.uploadPart(
                "big", uploadID: id, number: parts.count + 1, file: file.path, range: start..<end)
            parts.append(S3Part(number: parts.count + 1, etag: etag))
            start = end
        }
        #expect(parts.count == 3)
        #expect(try await client.headObject("big") == nil)
        try await client.completeMultipartUpload("big", uploadID: id, parts: parts)
        #expect(try await client.headObject("big")?.size == size)
        #expect(try await bytes(of: try await client.getObject("big")) == file.bytes)

        let abandoned = try await client.createMultipartUpload("abandoned")
        _ = try await client.uploadPart(
            "abandoned", uploadID: abandoned, number: 1, file: file.path, range: 0..<(5 << 20))
        #expect(try await client.listMultipartUploads(prefix: "aband").map(\.uploadID) == [abandoned])
        try await client.abortMultipartUpload("abandoned", uploadID: abandoned)
        #expect(try await client.headObject("abandoned") == nil)
        #expect(try await client.listMultipartUploads(prefix: "").isEmpty)
    }

    @Test("a listing pages through the keys under a prefix, in key order, with their sizes")
    func listing() async throws {
        let client = try await freshBucket()
        for key in ["p/c", "p/a", "p/b", "q/z"] {
            try await client.putObject(key, bytes: ByteBuffer(string: key + "!"))
        }
        let first = try await client.listObjects(prefix: "p/", maxKeys: 2)
        #expect(first.objects.map(\.key) == ["p/a", "p/b"])
        #expect(first.objects.map(\.size) == [4, 4])
        let token = try #require(first.continuationToken)
        let second = try await client.listObjects(prefix: "p/", continuationToken: token, maxKeys: 2)
        #expect(second.objects.map(\.key) == ["p/c"])
        #expect(second.continuationToken == nil)
    }

    @Test("a server-side copy gives a second key with the same bytes")
    func copy() async throws {
        let client = try await freshBucket()
        try await client.putObject("tmp/upload one", bytes: ByteBuffer(string: "copied"))
        try await client.copyObject(from: "tmp/upload one", to: "blobs/final")
        #expect(try await bytes(of: try await client.getObject("blobs/final")) == Array("copied".utf8))
    }

    @Test("a presigned URL is fetched by curl and gives the object's bytes; its query carries the download's name")
    func presignedURL() async throws {
        let client = try await freshBucket()
        try await client.putObject("blobs/x", bytes: ByteBuffer(string: "presigned bytes"))
        let url = client.presignedURL(
            key: "blobs/x", expires: 300, query: [("response-content-disposition", "attachment; filename=\"a b.txt\"")])
        #expect(url.contains("X-Amz-Signature="))
        // Encoded as the signature encodes it (moto ignores the parameter; S3 answers with it as Content-Disposition).
        #expect(url.contains("response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22"))
        let fetched = try await e2eRun(
            "/usr/bin/env", ["curl", "-s", "-D", "-", url], environment: e2eCleanEnvironment(), timeout: .seconds(30))
        #expect(fetched.status == 0)
        #expect(fetched.output.hasSuffix("\r\n\r\npresigned bytes"))
    }

    @Test("a server that checks signatures takes the right keys and refuses a wrong secret with SignatureDoesNotMatch")
    func signaturesChecked() async throws {
        let server = try await MotoServer.authenticating()
        let client = try await freshBucket(on: server)
        try await client.putObject("signed/key with spaces", bytes: ByteBuffer(string: "ok"))
        #expect(try await client.headObject("signed/key with spaces")?.size == 2)
        let file = try tempFile(6 << 20)
        let id = try await client.createMultipartUpload("signed/multi")
        let etag = try await client.uploadPart(
            "signed/multi", uploadID: id, number: 1, file: file.path, range: Int64(0)..<100)
        try await client.completeMultipartUpload("signed/multi", uploadID: id, parts: [S3Part(number: 1, etag: etag)])
        #expect(try await client.headObject("signed/multi")?.size == 100)

        var wrong = server.credentials
        wrong.secretAccessKey += "x"
        let forger = try S3Client(
            configuration: server.configuration(bucket: client.configuration.bucket, credentials: wrong),
            http: s3TestHTTP)
        let refused = await #expect(throws: S3Error.self) {
            try await forger.putObject("signed/forged", bytes: ByteBuffer(string: "no"))
        }
        #expect(refused?.status == 403)
        #expect(refused?.code == "SignatureDoesNotMatch")
        #expect(try await client.headObject("signed/forged") == nil)
    }

    @Test("a missing bucket is NoSuchBucket (404)")
    func missingBucket() async throws {
        let server = try await MotoServer.plain()
        let client = try S3Client(configuration: server.configuration(bucket: "no-such-bucket-here"), http: s3TestHTTP)
        let error = await #expect(throws: S3Error.self) { try await client.headBucket() }
        #expect(error?.status == 404)
        let put = await #expect(throws: S3Error.self) {
            try await client.putObject("k", bytes: ByteBuffer(string: "v"))
        }
        #expect(put?.code == "NoSuchBucket")
    }

    @Test("an endpoint where nothing listens is unreachable")
    func unreachable() async throws {
        let closed = try e2eFreePort()
        let started = ContinuousClock.now
        let nobody = try S3Client(
            configuration: S3Configuration(
                endpoint: "http://127.0.0.1:\(closed)", region: "us-east-1", bucket: "b", pathStyle: true,
                credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "s")),
            http: s3TestHTTP)
        let unreachable = await #expect(throws: S3Error.self) { try await nobody.headBucket() }
        #expect(unreachable?.status == 0)
        #expect(unreachable?.code == "unreachable")
        // A hang guard, not a timing assertion: a refused connection is not retried past the 10 s bound.
        #expect(ContinuousClock.now - started < .seconds(25))
    }

    @Test("an endpoint that never answers times out at the configured bound")
    func silent() async throws {
        let (listener, port) = try loopbackListener()
        defer { close(listener) }
        let silent = try S3Client(
            configuration: S3Configuration(
                endpoint: "http://127.0.0.1:\(port)", region: "us-east-1", bucket: "b", pathStyle: true,
                credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "s"), timeout: .milliseconds(500)),
            http: s3TestHTTP)
        let started = ContinuousClock.now
        let timedOut = await #expect(throws: S3Error.self) { try await silent.headBucket() }
        #expect(timedOut?.code == "timeout")
        // A hang guard, not a timing assertion: the bound is 0.5 s.
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test("an endpoint that is not an http(s) URL is refused when the client is made")
    func badEndpoint() {
        for endpoint in ["ftp://host", "127.0.0.1:9000", "http://", ""] {
            #expect(throws: S3Error.self) {
                try S3Client(
                    configuration: S3Configuration(
                        endpoint: endpoint, region: "r", bucket: "b", pathStyle: true,
                        credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "s")),
                    http: s3TestHTTP)
            }
        }
    }
}
