import NIOConcurrencyHelpers
import NIOCore

/// A response body streamed from the network with back-pressure; iterate it once.
///
/// Iterating enforces the size limit and the inactivity timeout. Dropping the body, or cancelling the task iterating
/// it, closes the connection.
public struct FetchBody: AsyncSequence, Sendable {
    /// Each element is one network read's worth of bytes.
    public typealias Element = ByteBuffer
    /// Iteration fails only with `FetchError`.
    public typealias Failure = FetchError

    typealias Producer = NIOThrowingAsyncSequenceProducer<
        FetchBodyEvent, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, FetchBodyDelegate
    >

    private let producer: Producer
    // The underlying sequence is unicast and traps on a second iterator; this turns misuse into an error instead.
    private let claimed = NIOLockedValueBox(false)

    init(producer: Producer) {
        self.producer = producer
    }

    /// Starts the single iteration; a second iterator fails on its first `next()`.
    public func makeAsyncIterator() -> AsyncIterator {
        let first = self.claimed.withLockedValue { claimed in
            defer { claimed = true }
            return !claimed
        }
        return AsyncIterator(inner: first ? self.producer.makeAsyncIterator() : nil)
    }

    /// Reads the whole body into one buffer; it is still bounded by the fetcher's `maxBytes`.
    public func collect() async throws(FetchError) -> ByteBuffer {
        var result = ByteBuffer()
        for try await var chunk in self {
            result.writeBuffer(&chunk)
        }
        return result
    }

    /// Iterator over the body's buffers.
    public struct AsyncIterator: AsyncIteratorProtocol {
        /// Each element is one network read's worth of bytes.
        public typealias Element = ByteBuffer
        /// Iteration fails only with `FetchError`.
        public typealias Failure = FetchError

        private var inner: Producer.AsyncIterator?
        private var finished = false

        init(inner: Producer.AsyncIterator?) {
            self.inner = inner
        }

        /// The next buffer, or nil once the whole body has arrived.
        public mutating func next() async throws(FetchError) -> ByteBuffer? {
            if self.finished { return nil }
            guard let iterator = self.inner else {
                self.finished = true
                throw .failed("the response body can only be iterated once")
            }
            let event: FetchBodyEvent?
            do {
                event = try await iterator.next()
            } catch {
                self.finish()
                throw FetchError(describing: error)
            }
            switch event {
            case .bytes(let buffer):
                return buffer
            case .end:
                self.finish()
                return nil
            case nil:
                // Only the explicit end marker proves the body is complete; anything else must not look like success.
                self.finish()
                throw .failed("the connection ended before the response body was complete")
            }
        }

        private mutating func finish() {
            self.finished = true
            // Releasing the iterator tells the producer nobody is listening, which closes the connection.
            self.inner = nil
        }
    }
}

/// What the channel handler hands to the body's consumer.
enum FetchBodyEvent: Sendable {
    case bytes(ByteBuffer)
    // An explicit marker, so a sequence that merely stops (e.g. on cancellation) is never taken as a complete body.
    case end
}

/// Forwards the consumer's demand and departure to the channel handler on its event loop.
struct FetchBodyDelegate: NIOAsyncSequenceProducerDelegate {
    let handler: NIOLoopBound<FetchResponseHandler>

    func produceMore() {
        let handler = self.handler
        // Always deferred: the producer may call this from inside a yield or finish made by the handler itself.
        handler.eventLoop.execute { handler.value.consumerWantsMore() }
    }

    func didTerminate() {
        let handler = self.handler
        handler.eventLoop.execute { handler.value.consumerTerminated() }
    }
}
