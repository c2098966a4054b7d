/// Why a multipart body was rejected; `reason` is safe to show to the client.
public struct MultipartError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong with the body, in words.
    public var reason: String

    /// Makes an error with the given reason.
    public init(_ reason: String) {
        self.reason = reason
    }

    /// The reason, so logs and responses read naturally.
    public var description: String { reason }

    static func headersTooLong(_ limit: Int) -> MultipartError {
        MultipartError("part headers longer than \(limit) bytes")
    }

    static func tooManyParts(_ limit: Int) -> MultipartError {
        MultipartError("more than \(limit) parts")
    }

    static let truncated = MultipartError("body ended before the closing boundary")
    static let malformedHeader = MultipartError("malformed part header")
    static let malformedBoundaryLine = MultipartError("malformed boundary line")
    static let stoppedEarlier = MultipartError("parsing already stopped on an earlier error")
}
