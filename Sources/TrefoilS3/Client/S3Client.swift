import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The S3 calls Trefoil's blob store makes, signed with Signature Version 4 and sent with async-http-client.
///
/// Keys are given decoded (`blobs/ab/cd…`); the client percent-encodes them for the URL and the signature alike.
public struct S3Client: Sendable {
    public let configuration: S3Configuration
    let http: HTTPClient
    let signer: SigV4Signer
    let scheme: String
    let authority: String
    /// Answers of the calls that read XML are collected up to this many bytes.
    static let maxAnswerBytes = 4 << 20

    /// Fails when `endpoint` is not an `http` or `https` URL with a host.
    public init(configuration: S3Configuration, http: HTTPClient) throws {
        guard let url = URL(string: configuration.endpoint), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw S3Error(
                status: 0, code: "bad endpoint", message: "not an http(s) URL: \(configuration.endpoint)",
                operation: "configure")
        }
        let hostName = host.contains(":") ? "[\(host)]" : host
        let base = configuration.pathStyle ? hostName : "\(configuration.bucket).\(hostName)"
        self.configuration = configuration
        self.http = http
        self.scheme = scheme
        authority = url.port.map { "\(base):\($0)" } ?? base
        signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
    }

    /// An HTTP client for the store: connections are made within `timeout` (a refused connection is not retried
    /// past it) and an answer that stays silent for `timeout` fails. Shut it down when done with it.
    public static func httpClient(timeout: Duration) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: TimeAmount(timeout), read: TimeAmount(timeout))
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    // MARK: objects

    /// The object's size and ETag; nil when there is none.
    public func headObject(_ key: String) async throws -> S3Object? {
        let response = try await send("HEAD", key: key, operation: "HEAD \(key)", allowing: [404])
        guard response.status != .notFound else { return nil }
        let size = response.headers.first(name: "content-length").flatMap { Int64($0) } ?? 0
        return S3Object(key: key, size: size, etag: Self.unquoted(response.headers.first(name: "etag") ?? ""))
    }

    /// Uploads `bytes` in one request; returns the ETag.
    @discardableResult
    public func putObject(_ key: String, bytes: ByteBuffer, contentType: String = "application/octet-stream")
        async throws -> String
    {
        let hash = Self.sha256Hex(bytes)
        let response = try await send(
            "PUT", key: key, headers: [("content-type", contentType)], body: .bytes(bytes), payloadHash: hash,
            operation: "PUT \(key)")
        return Self.unquoted(response.headers.first(name: "etag") ?? "")
    }

    /// Uploads `range` of the file at `path` in one request, streamed; returns the ETag. `sha256` (hex), when known,
    /// is signed as the payload's hash, so the store checks the bytes; otherwise the payload goes unsigned.
    @discardableResult
    public func putObject(_ key: String, file path: String, range: Range<Int64>, sha256: String? = nil)
        async throws -> String
    {
        let body = HTTPClientRequest.Body.stream(
            FileRegionChunks(path: path, range: range), length: .known(range.count))
        let response = try await send(
            "PUT", key: key, headers: [("content-type", "application/octet-stream")], body: body,
            payloadHash: sha256 ?? SignableRequest.unsignedPayload, operation: "PUT \(key)")
        return Self.unquoted(response.headers.first(name: "etag") ?? "")
    }

    /// The object's bytes (`range`: those bytes only, answered 206), with the answer's headers; the caller streams
    /// `body` and must consume or drop it.
    public func getObject(_ key: String, range: ClosedRange<Int64>? = nil) async throws -> HTTPClientResponse {
        var headers: [(String, String)] = []
        if let range { headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound)")) }
        return try await send("GET", key: key, headers: headers, operation: "GET \(key)", collectingErrors: true)
    }

    /// Deletes the object; deleting one that does not exist succeeds.
    public func deleteObject(_ key: String) async throws {
        _ = try await send("DELETE", key: key, operation: "DELETE \(key)", allowing: [404])
    }

    /// Copies an object inside the bucket, server side.
    public func copyObject(from source: String, to key: String) async throws {
        let copySource = "/" + URIEncoding.encode(configuration.bucket + "/" + source, keepingSlashes: true)
        _ = try await send(
            "PUT", key: key, headers: [("x-amz-copy-source", copySource)], operation: "COPY \(source) to \(key)")
    }

    /// One page (up to `maxKeys`, at most 1,000) of the keys under `prefix`, in key order.
    public func listObjects(prefix: String, continuationToken: String? = nil, maxKeys: Int = 1000) async throws
        -> S3Listing
    {
        var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let xml = try await xmlAnswer(
            "GET", key: nil, query: query, keeping: ["Key", "Size", "ETag", "NextContinuationToken", "IsTruncated"],
            operation: "LIST \(prefix)")
        let keys = xml["Key"] ?? []
        let sizes = xml["Size"] ?? []
        let etags = xml["ETag"] ?? []
        let objects = keys.indices.map { index in
            S3Object(
                key: keys[index], size: index < sizes.count ? Int64(sizes[index]) ?? 0 : 0,
                etag: index < etags.count ? Self.unquoted(etags[index]) : "")
        }
        let truncated = xml["IsTruncated"]?.first == "true"
        return S3Listing(objects: objects, continuationToken: truncated ? xml["NextContinuationToken"]?.first : nil)
    }

    /// Checks that the bucket exists and the credentials may use it.
    public func headBucket() async throws {
        _ = try await send("HEAD", key: nil, operation: "HEAD bucket \(configuration.bucket)")
    }

    // MARK: multipart uploads

    /// Starts a multipart upload; returns its id.
    public func createMultipartUpload(_ key: String) async throws -> String {
        let xml = try await xmlAnswer(
            "POST", key: key, query: [("uploads", "")], keeping: ["UploadId"], operation: "CREATE MULTIPART \(key)")
        guard let id = xml["UploadId"]?.first, !id.isEmpty else {
            throw S3Error(status: 200, code: "no UploadId", message: "", operation: "CREATE MULTIPART \(key)")
        }
        return id
    }

    /// Uploads one part (numbered from 1) from `range` of the file at `path`, streamed; returns its ETag.
    public func uploadPart(_ key: String, uploadID: String, number: Int, file path: String, range: Range<Int64>)
        async throws -> String
    {
        let body = HTTPClientRequest.Body.stream(
            FileRegionChunks(path: path, range: range), length: .known(range.count))
        let response = try await send(
            "PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: body,
            payloadHash: SignableRequest.unsignedPayload, operation: "PART \(number) of \(key)")
        return Self.unquoted(response.headers.first(name: "etag") ?? "")
    }

    /// Completes a multipart upload: the object appears, whole, under `key`.
    public func completeMultipartUpload(_ key: String, uploadID: String, parts: [S3Part]) async throws {
        let document =
            "<CompleteMultipartUpload>"
            + parts.map {
                "<Part>" + S3XML.element("PartNumber", String($0.number)) + S3XML.element("ETag", "\"\($0.etag)\"")
                    + "</Part>"
            }.joined() + "</CompleteMultipartUpload>"
        // S3 may answer 200 and then an error in the body, after it has spent time assembling the parts.
        let xml = try await xmlAnswer(
            "POST", key: key, query: [("uploadId", uploadID)], body: ByteBuffer(string: document),
            keeping: ["Code", "Message", "ETag"], operation: "COMPLETE MULTIPART \(key)")
        if let code = xml["Code"]?.first {
            throw S3Error(
                status: 200, code: code, message: xml["Message"]?.first ?? "", operation: "COMPLETE MULTIPART \(key)")
        }
    }

    /// The multipart uploads under `prefix` that were started and neither completed nor aborted (first 1,000), as
    /// (key, upload id).
    public func listMultipartUploads(prefix: String) async throws -> [(key: String, uploadID: String)] {
        let xml = try await xmlAnswer(
            "GET", key: nil, query: [("uploads", ""), ("prefix", prefix)], keeping: ["Key", "UploadId"],
            operation: "LIST MULTIPART \(prefix)")
        return zip(xml["Key"] ?? [], xml["UploadId"] ?? []).map { ($0, $1) }
    }

    /// Abandons a multipart upload and frees its parts; one that is already gone succeeds.
    public func abortMultipartUpload(_ key: String, uploadID: String) async throws {
        _ = try await send(
            "DELETE", key: key, query: [("uploadId", uploadID)], operation: "ABORT MULTIPART \(key)", allowing: [404])
    }

    // MARK: presigned URLs

    /// A URL that lets anyone holding it `method` the object for `expires` seconds from `date`; `query` adds
    /// parameters the store honours, such as `response-content-disposition`.
    public func presignedURL(
        _ method: String = "GET", key: String, expires: Int, at date: Date = Date(),
        query: [(name: String, value: String)] = []
    ) -> String {
        let path = objectPath(key)
        let request = SignableRequest(
            method: method, path: path, query: query, headers: [("host", authority)],
            payloadHash: SignableRequest.unsignedPayload)
        let (added, _) = signer.presign(request, at: date, expires: expires)
        return url(path: path, query: query + added)
    }

    // MARK: sending

    /// The decoded path of `key` (or of the bucket when nil).
    func objectPath(_ key: String?) -> String {
        let bucket = configuration.pathStyle ? "/\(configuration.bucket)" : ""
        guard let key else { return bucket.isEmpty ? "/" : bucket }
        return "\(bucket)/\(key)"
    }

    func url(path: String, query: [(name: String, value: String)]) -> String {
        let encodedQuery = query.map { "\(URIEncoding.encode($0.name))=\(URIEncoding.encode($0.value))" }
            .joined(separator: "&")
        let encodedPath = URIEncoding.encode(path, keepingSlashes: true)
        return "\(scheme)://\(authority)\(encodedPath)" + (encodedQuery.isEmpty ? "" : "?\(encodedQuery)")
    }

    /// Signs and sends one request. An answer outside 2xx (and `allowing`) becomes an `S3Error` with S3's code and
    /// message; failing to reach the store becomes one with status 0.
    func send(
        _ method: String, key: String?, query: [(name: String, value: String)] = [],
        headers: [(String, String)] = [], body: HTTPClientRequest.Body? = nil,
        payloadHash: String = SignableRequest.emptyPayloadHash, operation: String, allowing: Set<Int> = [],
        collectingErrors: Bool = true
    ) async throws -> HTTPClientResponse {
        let path = objectPath(key)
        let signable = SignableRequest(
            method: method, path: path, query: query, headers: [("host", authority)] + headers,
            payloadHash: payloadHash)
        let (added, _) = signer.sign(signable, at: Date())
        var request = HTTPClientRequest(url: url(path: path, query: query))
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "host", value: authority)
        for (name, value) in headers + added { request.headers.add(name: name, value: value) }
        if let body { request.body = body }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: TimeAmount(configuration.timeout))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw S3Error(status: 0, code: "timeout", message: "\(error)", operation: operation)
        } catch {
            throw S3Error(status: 0, code: "unreachable", message: "\(error)", operation: operation)
        }
        let status = Int(response.status.code)
        if (200..<300).contains(status) || allowing.contains(status) { return response }
        throw await Self.refusal(response, operation: operation)
    }

    /// Sends a request whose answer is XML, and keeps the text of the `keeping` elements.
    func xmlAnswer(
        _ method: String, key: String?, query: [(name: String, value: String)], body: ByteBuffer? = nil,
        keeping: Set<String>, operation: String
    ) async throws -> [String: [String]] {
        let response = try await send(
            method, key: key, query: query, body: body.map { .bytes($0) },
            payloadHash: body.map(Self.sha256Hex) ?? SignableRequest.emptyPayloadHash, operation: operation)
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: Self.maxAnswerBytes)
        } catch {
            throw S3Error(status: 0, code: "unreachable", message: "\(error)", operation: operation)
        }
        guard let xml = S3XML.parse(Data(buffer: bytes), keeping: keeping) else {
            throw S3Error(status: Int(response.status.code), code: "not XML", message: "", operation: operation)
        }
        return xml
    }

    /// The error a refusal carries in its XML body (`<Error><Code>…</Code><Message>…</Message></Error>`).
    static func refusal(_ response: HTTPClientResponse, operation: String) async -> S3Error {
        let status = Int(response.status.code)
        let body = try? await response.body.collect(upTo: 64 << 10)
        let xml = body.flatMap { S3XML.parse(Data(buffer: $0), keeping: ["Code", "Message"]) }
        let code = xml?["Code"]?.first ?? (status == 404 ? "NotFound" : "HTTP \(status)")
        return S3Error(status: status, code: code, message: xml?["Message"]?.first ?? "", operation: operation)
    }

    static func unquoted(_ etag: String) -> String {
        etag.hasPrefix("\"") && etag.hasSuffix("\"") && etag.count >= 2 ? String(etag.dropFirst().dropLast()) : etag
    }

    static func sha256Hex(_ bytes: ByteBuffer) -> String {
        bytes.withUnsafeReadableBytes { Hex.encode(SHA256.hash(data: $0)) }
    }
}
