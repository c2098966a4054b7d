/// A refusal from the object store, or a failure to reach it.
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status; 0 when no answer came.
    public let status: Int
    /// S3's error code (`NoSuchBucket`, `AccessDenied`, `SignatureDoesNotMatch`…), or a word of ours when the answer
    /// had none (`HTTP 500`, `unreachable`, `timeout`).
    public let code: String
    public let message: String
    /// The operation and key, for the log.
    public let operation: String

    public init(status: Int, code: String, message: String, operation: String) {
        self.status = status
        self.code = code
        self.message = message
        self.operation = operation
    }

    public var description: String {
        let answer = status == 0 ? code : "\(status) \(code)"
        return message.isEmpty ? "\(operation): \(answer)" : "\(operation): \(answer): \(message)"
    }

    /// Whether the object (or the multipart upload) does not exist.
    public var isNotFound: Bool { status == 404 }
}
