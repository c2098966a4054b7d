import NIOCore
import NIOHTTP1
import NIOSSL

extension FetchError {
    /// Maps errors from NIO, NIOSSL and the concurrency runtime to `.failed` with a readable reason.
    init(describing error: any Error) {
        switch error {
        case let error as FetchError:
            self = error
        case is CancellationError:
            self = .failed("cancelled")
        case ChannelError.connectTimeout(let amount):
            self = .failed("connect timed out after \(amount.wholeMilliseconds) ms")
        case let error as NIOSSLError:
            self = .failed("TLS failure: \(error)")
        case let error as BoringSSLError:
            self = .failed("TLS failure: \(error)")
        case let error as NIOSSLExtraError:
            self = .failed("TLS failure: \(error)")
        case let error as HTTPParserError:
            self = .failed("malformed response: \(error)")
        case let error as IOError:
            self = .failed("connection failed: \(error.description)")
        default:
            self = .failed("\(error)")
        }
    }

    /// The inactivity timeout message, with the configured duration in milliseconds.
    static func timedOut(after timeout: TimeAmount) -> FetchError {
        .failed("timed out after \(timeout.wholeMilliseconds) ms without data")
    }
}
