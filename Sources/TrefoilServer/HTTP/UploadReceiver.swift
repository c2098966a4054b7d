import AsyncAlgorithms
import Foundation
import Hummingbird
import NIOCore
import OneBotV11
import Synchronization
import TrefoilCore
import TrefoilMultipart

/// Receives upload bodies that carry the file itself and streams them to storage: a
/// `multipart/form-data` form whose `file` part is the content, or a raw body (`PUT`, or `POST` with
/// `application/octet-stream`) with the params in the query.
struct UploadReceiver: Sendable {
    let table: ActionTable
    let maxBodyBytes: Int64
    /// Text fields of a form are held in memory; together they may not exceed this.
    static let maxFieldBytes = 16 << 20

    private var tree: FileTree { table.context.tree }

    /// A raw body is the file; `name` comes from the query or a Content-Disposition header.
    func raw(_ request: Request, action: String, query: Params) async -> Response {
        if let refused = await table.precheckUpload(action, params: query) { return .envelope(refused) }
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > maxBodyBytes {
            return .failure(.badRequest("the body is larger than server.max_body_bytes"), status: .contentTooLarge)
        }
        let limit = maxBodyBytes
        let counted = CountedBody(body: request.body, limit: limit)
        let staged: StagedUpload
        do {
            staged = try await tree.stage(counted)
        } catch {
            return failureResponse(error, action: action)
        }
        let suggested = request.headers[.contentDisposition].flatMap(Self.fileName(fromDisposition:))
        return .envelope(await table.commitUpload(action, params: query, staged: staged, suggestedName: suggested))
    }

    /// A multipart form: the `file` part streams to storage while the other fields are collected;
    /// fields may come before or after the file.
    func multipart(_ request: Request, action: String, query: Params, contentType: MediaType) async -> Response {
        guard let boundary = MultipartParser.boundary(fromContentType: contentType.raw) else {
            return .failure(.badRequest("multipart/form-data needs a boundary"), status: .badRequest)
        }
        let tree = self.tree
        let limit = maxBodyBytes
        return await withTaskGroup(of: Result<StagedUpload, any Error>.self) { group -> Response in
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
                        case .begin(let headers) where headers.name == "file" && headers.filename != nil:
                            guard form.sink == nil, staged == nil else { throw MultipartFormError.twoFiles }
                            let sink = AsyncThrowingChannel<[UInt8], any Error>()
                            form.sink = sink
                            // Some clients send the whole client-side path; only its last component is a name.
                            form.fileName = headers.filename.map { name in
                                String(name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? Substring(name))
                            }
                            let failed = form.stageFailed
                            group.addTask {
                                defer { sink.finish() }
                                do {
                                    return .success(try await tree.stage(sink))
                                } catch {
                                    failed.raise()
                                    return .failure(error)
                                }
                            }
                        case .begin(let headers):
                            form.field = (headers.name ?? "", [])
                        case .body(let bytes):
                            if let sink = form.sink {
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
                for await result in group { if case .success(let orphan) = result { tree.discard(orphan) } }
                if let staged { tree.discard(staged) }
                return failureResponse(error, action: action)
            }
            let params = Params(strings: form.fields).merging(under: query)
            guard let staged else {
                // No file part: the form carries params only (for example a `file` URL or base64).
                return .envelope(await table.respond(to: ActionRequest(action: action, params: params)))
            }
            return .envelope(
                await table.commitUpload(action, params: params, staged: staged, suggestedName: form.fileName))
        }
    }

    /// The text fields of a small multipart body, for actions that are not uploads.
    static func fields(of body: ByteBuffer, contentType: MediaType) -> BodyParams {
        guard let boundary = MultipartParser.boundary(fromContentType: contentType.raw) else {
            return .refused(.failure(.badRequest("multipart/form-data needs a boundary"), status: .badRequest))
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
            return .refused(.failure(.badRequest("malformed multipart body: \(error)"), status: .badRequest))
        }
        return .params(Params(strings: fields))
    }

    private func failureResponse(_ error: any Error, action: String) -> Response {
        switch error {
        case is BodyTooLarge:
            return .failure(.badRequest("the body is larger than server.max_body_bytes"), status: .contentTooLarge)
        case let error as MultipartError:
            return .failure(.badRequest("malformed multipart body: \(error)"), status: .badRequest)
        case let error as MultipartFormError:
            return .failure(.badRequest(error.rawValue), status: .badRequest)
        default:
            return .envelope(.failed(OneBotError(error, action: action), echo: nil))
        }
    }

    /// `filename*=UTF-8''…` or `filename="…"` of a Content-Disposition header.
    static func fileName(fromDisposition header: String) -> String? {
        let type = MediaType("x; " + header.split(separator: ";", maxSplits: 1).dropFirst().joined())
        if let extended = type.parameters["filename*"], let quote = extended.range(of: "''") {
            return String(extended[quote.upperBound...]).removingPercentEncoding
        }
        return type.parameters["filename"]
    }
}

/// What a multipart upload has seen so far.
private struct FormState {
    var sink: AsyncThrowingChannel<[UInt8], any Error>?
    var fileName: String?
    var field: (String, [UInt8])?
    var fields: [String: String] = [:]
    var fieldBytes = 0
    let stageFailed = AtomicFlag()
}

/// A boolean that one task raises and another reads.
final class AtomicFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func raise() { value.store(true, ordering: .releasing) }
    var isRaised: Bool { value.load(ordering: .acquiring) }
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

private enum MultipartFormError: String, Error {
    case twoFiles = "a form may carry one file part"
}

struct BodyTooLarge: Error {}

/// A request body as byte views, failing once it passes `limit` bytes.
struct CountedBody: AsyncSequence, Sendable {
    let body: RequestBody
    let limit: Int64

    func makeAsyncIterator() -> Iterator { Iterator(inner: body.makeAsyncIterator(), limit: limit) }

    struct Iterator: AsyncIteratorProtocol {
        var inner: RequestBody.AsyncIterator
        let limit: Int64
        var total: Int64 = 0

        mutating func next() async throws -> ByteBufferView? {
            guard let buffer = try await inner.next() else { return nil }
            total += Int64(buffer.readableBytes)
            if total > limit { throw BodyTooLarge() }
            return buffer.readableBytesView
        }
    }
}
