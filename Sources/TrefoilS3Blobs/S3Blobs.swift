import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix
import TrefoilCore
import TrefoilS3

/// Blobs as objects of an S3-compatible bucket, under `<prefix>/<sha256>` (issue 17; docs/s3.md).
///
/// Writes go from the upload's temp file, already hashed while it streamed in, straight to the blob's own key: one
/// `PUT` (its SHA-256 signed as the payload hash, so the store checks the bytes) up to `partSize`, a multipart upload
/// streamed part by part from the file above it. An object appears under its key only when the `PUT` or the
/// multipart completion succeeds, so nothing half-written is ever visible; the write is recorded in the journal before
/// it starts, with its multipart upload id as soon as there is one, so that what a crash interrupts is aborted and
/// collected at the next start without listing the bucket. An object already stored with the right size (`HEAD`) is
/// not uploaded again.
public final class S3Blobs: BlobBackend {
    public struct Settings: Sendable {
        public var prefix: String
        public var partSize: Int64
        public var partConcurrency: Int

        public init(prefix: String, partSize: Int64 = 16 << 20, partConcurrency: Int = 4) {
            self.prefix = prefix
            self.partSize = partSize
            self.partConcurrency = max(1, partConcurrency)
        }
    }

    public let client: S3Client
    public let settings: Settings
    private let http: HTTPClient

    /// A backend on its own HTTP client, shut down by `shutdown()`.
    public init(configuration: S3Configuration, settings: Settings) throws {
        http = S3Client.httpClient(timeout: configuration.timeout)
        do {
            client = try S3Client(configuration: configuration, http: http)
        } catch {
            try? http.syncShutdown()
            throw error
        }
        self.settings = settings
    }

    /// Closes the HTTP client's connections.
    public func shutdown() async {
        try? await http.shutdown()
    }

    public var name: String { "s3" }

    /// The object key of a blob.
    public func key(_ sha256: String) -> String {
        settings.prefix.isEmpty ? sha256 : "\(settings.prefix)/\(sha256)"
    }

    public func localPath(_ sha256: String) -> String? { nil }

    // MARK: writing

    public func store(_ upload: BlobUpload, overwrite: Bool, journal: BlobJournal) async throws(TrefoilError)
        -> BlobStored
    {
        let key = key(upload.sha256)
        if !overwrite, let existing = try await mapped({ try await client.headObject(key) }),
            existing.size == upload.size
        {
            return BlobStored(consumedTemp: false)
        }
        let id = try await journal.begin(upload.sha256)
        if upload.size <= settings.partSize {
            _ = try await mapped {
                try await client.putObject(
                    key, file: upload.path, range: 0..<upload.size, sha256: upload.sha256)
            }
        } else {
            try await multipart(upload, key: key, journalID: id, journal: journal)
        }
        return BlobStored(consumedTemp: false, journalID: id)
    }

    /// Parts of `partSize` (the last one shorter), `partConcurrency` at a time, each streamed from its region of the
    /// temp file: memory stays at a few chunks per part in flight whatever the file's size. A failure aborts the
    /// upload (when the store answers); the journal keeps the upload id either way.
    private func multipart(_ upload: BlobUpload, key: String, journalID: Int64, journal: BlobJournal)
        async throws(TrefoilError)
    {
        let client = self.client
        let uploadID = try await mapped { try await client.createMultipartUpload(key) }
        try await journal.attach(journalID, uploadID: uploadID)
        let partSize = settings.partSize
        let count = Int((upload.size + partSize - 1) / partSize)
        do {
            let parts = try await withThrowingTaskGroup(of: S3Part.self) { group in
                var parts: [S3Part] = []
                var next = 0
                func add() {
                    let number = next + 1
                    let start = Int64(next) * partSize
                    let range = start..<min(upload.size, start + partSize)
                    group.addTask {
                        let etag = try await client.uploadPart(
                            key, uploadID: uploadID, number: number, file: upload.path, range: range)
                        return S3Part(number: number, etag: etag)
                    }
                    next += 1
                }
                while next < min(count, settings.partConcurrency) { add() }
                while let part = try await group.next() {
                    parts.append(part)
                    if next < count { add() }
                }
                return parts.sorted { $0.number < $1.number }
            }
            try await client.completeMultipartUpload(key, uploadID: uploadID, parts: parts)
        } catch {
            try? await client.abortMultipartUpload(key, uploadID: uploadID)
            throw Self.failure(error)
        }
    }

    /// Aborts the write's multipart upload. A write recorded without an upload id may have been stopped between
    /// the store creating the upload and the journal recording its id: the uploads open under that one key (a
    /// listing of the key, not of the bucket) are aborted then.
    public func abandon(_ write: PendingBlobWrite) async throws(TrefoilError) {
        let key = key(write.sha256)
        var uploads = write.uploadID.map { [$0] } ?? []
        if uploads.isEmpty {
            uploads = try await mapped { try await client.listMultipartUploads(prefix: key) }.filter { $0.key == key }
                .map(\.uploadID)
        }
        for uploadID in uploads {
            do {
                try await client.abortMultipartUpload(key, uploadID: uploadID)
            } catch let error as S3Error where error.status >= 400 && error.status < 500 || error.status == 500 {
                // Already completed or aborted: moto answers 500 for an upload it no longer knows.
            } catch {
                throw Self.failure(error)
            }
        }
    }

    public func remove(_ sha256: String) async throws(TrefoilError) {
        try await mapped { try await client.deleteObject(key(sha256)) }
    }

    // MARK: reading

    public func storedSize(_ sha256: String) async throws(TrefoilError) -> Int64? {
        try await mapped { try await client.headObject(key(sha256)) }?.size
    }

    public func storedHashes() async throws(TrefoilError) -> [String] {
        let prefix = settings.prefix.isEmpty ? "" : settings.prefix + "/"
        var hashes: [String] = []
        var token: String?
        repeat {
            let page = try await mapped { try await client.listObjects(prefix: prefix, continuationToken: token) }
            hashes += page.objects.map { String($0.key.dropFirst(prefix.count)) }.filter(Self.isBlobName)
            token = page.continuationToken
        } while token != nil
        return hashes
    }

    /// A GET of the object (`range`: those bytes, inclusive), for a download streamed through Trefoil. The caller
    /// consumes or drops the body.
    public func get(_ sha256: String, range: ClosedRange<Int64>?) async throws(TrefoilError) -> HTTPClientResponse {
        do {
            return try await client.getObject(key(sha256), range: range)
        } catch let error as S3Error where error.isNotFound {
            throw .fileNotFound
        } catch {
            throw Self.failure(error)
        }
    }

    public func read(_ sha256: String, range: Range<Int64>) async throws(TrefoilError) -> Data {
        guard !range.isEmpty else { return Data() }
        let response = try await get(sha256, range: range.lowerBound...(range.upperBound - 1))
        do {
            return Data(buffer: try await response.body.collect(upTo: range.count))
        } catch {
            throw Self.failure(error)
        }
    }

    public func copy(_ sha256: String, range: Range<Int64>?, to path: String) async throws(TrefoilError) {
        let response = try await get(sha256, range: range.map { $0.lowerBound...($0.upperBound - 1) })
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .storageWriteFailed("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        do {
            // Written a megabyte at a time on NIO's thread pool, never on the cooperative pool.
            var pending = ByteBuffer()
            for try await piece in response.body {
                pending.writeImmutableBuffer(piece)
                if pending.readableBytes >= 1 << 20 {
                    try await Self.write(pending, to: fd)
                    pending.clear()
                }
            }
            try await Self.write(pending, to: fd)
            try await NIOThreadPool.singleton.runIfActive {
                guard fsync(fd) == 0 else { throw TrefoilError.storageWriteFailed("fsync of \(path) failed") }
            }
        } catch let error as TrefoilError {
            throw error
        } catch {
            throw Self.failure(error)
        }
    }

    private static func write(_ buffer: ByteBuffer, to fd: Int32) async throws {
        guard buffer.readableBytes > 0 else { return }
        try await NIOThreadPool.singleton.runIfActive {
            try buffer.withUnsafeReadableBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else {
                        throw TrefoilError.storageWriteFailed(
                            "writing a fetched blob failed: \(String(cString: strerror(errno)))")
                    }
                    done += n
                }
            }
        }
    }

    /// A URL that fetches the object for `expires` seconds, answered with `name` as the download's file name and
    /// `contentType`.
    public func presignedURL(_ sha256: String, disposition: String, contentType: String, expires: Int) -> String {
        client.presignedURL(
            key: key(sha256), expires: expires,
            query: [("response-content-disposition", disposition), ("response-content-type", contentType)])
    }

    // MARK: start-up check

    /// The bucket answers, the credentials may use it, and an object can be written and removed under the prefix.
    public func checkWritable() async throws(TrefoilError) {
        let probe = key(".trefoil-probe-\(UUID().uuidString.lowercased())")
        do {
            try await client.headBucket()
            try await client.putObject(probe, bytes: ByteBuffer(string: "trefoil start-up check\n"))
            try await client.deleteObject(probe)
        } catch let error as S3Error {
            throw .storageWriteFailed(Self.explain(error))
        } catch {
            throw .storageWriteFailed("\(error)")
        }
    }

    /// One line an admin can act on.
    static func explain(_ error: S3Error) -> String {
        let bucket = "bucket"
        switch (error.status, error.code) {
        case (0, _): return "the S3 endpoint cannot be reached (\(error.code): \(error.message))"
        case (404, _), (_, "NoSuchBucket"): return "the \(bucket) does not exist (\(error))"
        case (_, "InvalidAccessKeyId"), (_, "SignatureDoesNotMatch"), (403, _):
            return "the S3 credentials are refused (\(error))"
        default: return "\(error)"
        }
    }

    // MARK: errors

    private func mapped<T>(_ body: () async throws -> T) async throws(TrefoilError) -> T {
        do {
            return try await body()
        } catch {
            throw Self.failure(error)
        }
    }

    static func failure(_ error: any Error) -> TrefoilError {
        if let error = error as? TrefoilError { return error }
        return .storageWriteFailed("the S3 store failed: \(error)")
    }

    /// Whether a listed name is a blob's: 64 lowercase hex digits.
    static func isBlobName(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
