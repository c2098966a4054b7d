import Hummingbird
import NIOCore

/// A body passed its byte limit.
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
