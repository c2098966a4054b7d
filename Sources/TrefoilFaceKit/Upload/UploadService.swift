import Hummingbird
import TrefoilCore

/// Streams upload bodies into the store's staging area, for any face: a raw body that is the file, or a
/// `multipart/form-data` form whose file part is. Nothing is held in memory but a form's text fields.
///
/// The face decides everything else: which space and folder, which name, who uploads, and how a failure reads in its
/// format. It commits what was staged (`FileTree.commit`) or discards it (`FileTree.discard`); staged bytes that are
/// neither are removed at the next start.
public struct UploadService: Sendable {
    public let store: FileTree
    /// The largest body accepted (`server.max_body_bytes`); a longer one fails with `UploadError.bodyTooLarge`.
    public let maxBodyBytes: Int64
    /// The most bytes a form's text fields may hold together; they are held in memory.
    public static let maxFieldBytes = 16 << 20

    public init(store: FileTree, maxBodyBytes: Int64) {
        self.store = store
        self.maxBodyBytes = maxBodyBytes
    }

    /// Stages a raw body (the whole body is the file), refusing at once one whose `Content-Length` is over the limit.
    ///
    /// `maxBytes` is the face's own limit on the file: a body over `min(maxBytes, maxBodyBytes)` then fails with
    /// `.fileTooLarge(limit:)` as soon as the limit is passed; without it, a body over `maxBodyBytes` fails with
    /// `.bodyTooLarge`.
    public func receiveRaw(_ request: Request, maxBytes: Int64? = nil) async throws(UploadError) -> RawUpload {
        let limit = min(maxBytes ?? maxBodyBytes, maxBodyBytes)
        let failure: UploadError = maxBytes == nil ? .bodyTooLarge : .fileTooLarge(limit: limit)
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > limit { throw failure }
        let staged: StagedUpload
        do {
            staged = try await store.stage(CountedBody(body: request.body, limit: limit))
        } catch is BodyTooLarge {
            throw failure
        } catch {
            throw .stagingFailed(error)
        }
        return RawUpload(
            staged: staged,
            suggestedName: request.headers[.contentDisposition].flatMap(ContentType.fileName(fromDisposition:)),
            contentType: request.headers[.contentType])
    }
}

/// A raw body, staged.
public struct RawUpload: Sendable {
    public let staged: StagedUpload
    /// The file name of a `Content-Disposition` header, if the request had one.
    public let suggestedName: String?
    /// The request's `Content-Type`, if any.
    public let contentType: String?
}

/// A multipart form, its file part staged and its other fields collected.
public struct MultipartUpload: Sendable {
    /// The file part; nil when the form had none (it may carry a URL or base64 content in a field instead).
    public let file: File?
    /// The text fields by name, whether they came before or after the file; a later duplicate wins.
    public let fields: [String: String]

    /// The form's file part.
    public struct File: Sendable {
        public let staged: StagedUpload
        /// The part's file name with any client-side directories removed; nil when the part named none.
        public let fileName: String?
        /// The part's `Content-Type`, if it had one.
        public let contentType: String?
    }
}

/// Why an upload body could not be staged; the face answers each in its own format. Nothing was kept.
public enum UploadError: Error, Sendable {
    /// The body (or a form's text fields together) is larger than allowed: 413.
    case bodyTooLarge
    /// The file (a multipart form's file part, or a raw body) is over the limit the face gave the call (`maxBytes`,
    /// capped by `server.max_body_bytes`): `limit`.
    case fileTooLarge(limit: Int64)
    /// A `multipart/form-data` Content-Type without a boundary.
    case missingBoundary
    /// The multipart framing is broken; the reason says where.
    case malformedMultipart(String)
    /// The form has more than one file part.
    case twoFileParts
    /// The store refused the bytes (`TrefoilError.fileTooLarge`, a write failure) or the body could not be read.
    case stagingFailed(any Error)
    /// The face's `admitFile` check refused the file part before any of it was staged; its reason.
    case fileRefused(any Error)
}
