import AsyncAlgorithms
import Hummingbird
import NIOCore
import TrefoilCore
import TrefoilMultipart

extension UploadService {
    /// Stages a `multipart/form-data` body: the part named `fileField` that has a file name streams to the store
    /// while the other fields are collected; fields may come before or after the file. The boundary comes from the
    /// request's `Content-Type`. On failure nothing is kept.
    ///
    /// With `unnamedFile` true, the part named `fileField` is the file even when it names no file name (curl's
    /// `-F 'file="@path"'` sends such a part, and some HTTP libraries send every file that way); by default such a
    /// part is a text field (OneBot's `file` field holds a URL or base64 text).
    ///
    /// `maxBytes` is the face's own limit on the file part: one over `min(maxBytes, maxBodyBytes)` fails with
    /// `.fileTooLarge(limit:)` as soon as the limit is passed. The whole body stays bounded by `maxBodyBytes`
    /// (`.bodyTooLarge`). A `Content-Length` is not judged against `maxBytes`: it counts the form's framing and
    /// fields too, so a file exactly at the limit would be refused.
    ///
    /// `admitFile`, when given, sees the text fields that came before the file part, at the moment that part begins,
    /// and returns the file's limit (nil: `maxBytes`) or throws to refuse the upload before a byte of the file is
    /// staged (`.fileRefused` with what it threw): a form whose fields carry a signed policy (an upload ticket) is
    /// judged by them, as object stores judge a POST form whose file comes last.
    public func receiveMultipart(
        _ request: Request, fileField: String = "file", unnamedFile: Bool = false, maxBytes: Int64? = nil,
        admitFile: (@Sendable (_ fieldsBefore: [String: String]) async throws -> Int64?)? = nil
    ) async throws(UploadError) -> MultipartUpload {
        guard let contentType = request.headers[.contentType],
            let boundary = MultipartParser.boundary(fromContentType: contentType)
        else { throw .missingBoundary }
        let store = self.store
        let limit = maxBodyBytes
        var fileLimit = maxBytes.map { min($0, maxBodyBytes) }
        let outcome = await withTaskGroup(of: Result<StagedUpload, any Error>.self) {
            group -> Result<MultipartUpload, UploadError> in
            var form = FormState()
            var staged: StagedUpload?
            do {
                var parser = MultipartParser(boundary: boundary)
                var total: Int64 = 0
                for try await buffer in request.body {
                    total += Int64(buffer.readableBytes)
                    if total > limit { throw BodyTooLarge() }
                    var events: [OwnedEvent] = []
                    try buffer.withUnsafeReadableBytes { raw in
                        try parser.feed(raw) { events.append(OwnedEvent($0)) }
                    }
                    for event in events {
                        switch event {
                        case .begin(let headers)
                        where headers.name == fileField && (unnamedFile || headers.filename != nil):
                            guard form.sink == nil, staged == nil else { throw UploadError.twoFileParts }
                            if let admitFile {
                                do {
                                    if let limit = try await admitFile(form.fields) {
                                        fileLimit = min(limit, maxBodyBytes)
                                    }
                                } catch {
                                    throw UploadError.fileRefused(error)
                                }
                            }
                            let sink = AsyncThrowingChannel<[UInt8], any Error>()
                            form.sink = sink
                            // Some clients send the whole client-side path; only its last component is a name.
                            form.fileName = headers.filename.map { name in
                                String(name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? Substring(name))
                            }
                            form.fileType = headers.contentType
                            let failed = form.stageFailed
                            group.addTask {
                                defer { sink.finish() }
                                do {
                                    return .success(try await store.stage(sink))
                                } catch {
                                    failed.raise()
                                    return .failure(error)
                                }
                            }
                        case .begin(let headers):
                            form.field = (headers.name ?? "", [])
                        case .body(let bytes):
                            if let sink = form.sink {
                                form.fileBytes += Int64(bytes.count)
                                if let fileLimit, form.fileBytes > fileLimit {
                                    throw UploadError.fileTooLarge(limit: fileLimit)
                                }
                                await sink.send(bytes)
                            } else {
                                form.fieldBytes += bytes.count
                                if form.fieldBytes > Self.maxFieldBytes { throw BodyTooLarge() }
                                form.field?.1 += bytes
                            }
                        case .end:
                            if let sink = form.sink {
                                sink.finish()
                                form.sink = nil
                                staged = try await group.next()?.get()
                            } else if let (name, bytes) = form.field {
                                form.fields[name] = String(decoding: bytes, as: UTF8.self)
                                form.field = nil
                            }
                        }
                    }
                    // The store refused the file (too large, disk full): stop reading now.
                    if form.stageFailed.isRaised, form.sink != nil {
                        form.sink?.finish()
                        form.sink = nil
                        staged = try await group.next()?.get()
                    }
                }
                try parser.finish()
            } catch {
                form.sink?.fail(error)
                for await result in group { if case .success(let orphan) = result { store.discard(orphan) } }
                if let staged { store.discard(staged) }
                return .failure(UploadError(error))
            }
            let file = staged.map {
                MultipartUpload.File(staged: $0, fileName: form.fileName, contentType: form.fileType)
            }
            return .success(MultipartUpload(file: file, fields: form.fields))
        }
        return try outcome.get()
    }

    /// The text fields of a small multipart body already in memory (a form with no file part).
    public static func fields(of body: ByteBuffer, contentType: ContentType) throws(UploadError) -> [String: String] {
        guard let boundary = MultipartParser.boundary(fromContentType: contentType.raw) else {
            throw .missingBoundary
        }
        var parser = MultipartParser(boundary: boundary)
        var fields: [String: String] = [:]
        var current: (String, [UInt8])?
        do {
            try body.withUnsafeReadableBytes { raw in
                try parser.feed(raw) { event in
                    switch event {
                    case .partBegin(let headers): current = (headers.name ?? "", [])
                    case .body(let bytes): current?.1 += Array(bytes)
                    case .partEnd:
                        if let (name, bytes) = current { fields[name] = String(decoding: bytes, as: UTF8.self) }
                        current = nil
                    }
                }
            }
            try parser.finish()
        } catch {
            throw UploadError(error)
        }
        return fields
    }
}

extension UploadError {
    /// The error for whatever stopped reading a body.
    init(_ error: any Error) {
        switch error {
        case let error as UploadError: self = error
        case is BodyTooLarge: self = .bodyTooLarge
        case let error as MultipartError: self = .malformedMultipart(error.description)
        default: self = .stagingFailed(error)
        }
    }
}

/// What a multipart upload has seen so far.
private struct FormState {
    var sink: AsyncThrowingChannel<[UInt8], any Error>?
    var fileName: String?
    var fileType: String?
    var field: (String, [UInt8])?
    var fields: [String: String] = [:]
    var fieldBytes = 0
    /// Bytes of the file part so far.
    var fileBytes: Int64 = 0
    let stageFailed = AtomicFlag()
}

/// A parser event with its bytes copied out of the parser's buffer.
private enum OwnedEvent {
    case begin(MultipartPartHeaders)
    case body([UInt8])
    case end

    init(_ event: MultipartEvent) {
        switch event {
        case .partBegin(let headers): self = .begin(headers)
        case .body(let bytes): self = .body(Array(bytes))
        case .partEnd: self = .end
        }
    }
}
