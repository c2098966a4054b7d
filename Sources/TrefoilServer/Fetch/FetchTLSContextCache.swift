import NIOConcurrencyHelpers
import NIOSSL

/// Builds the TLS client context on first use and keeps it, because loading the trust store is slow.
final class FetchTLSContextCache: Sendable {
    private let configuration: TLSConfiguration
    private let cached = NIOLockedValueBox<Result<NIOSSLContext, FetchError>?>(nil)

    init(configuration: TLSConfiguration) {
        self.configuration = configuration
    }

    /// The shared context, or the reason it could not be built.
    func context() throws(FetchError) -> NIOSSLContext {
        let result = self.cached.withLockedValue { cached in
            if let cached { return cached }
            let made: Result<NIOSSLContext, FetchError>
            do {
                made = .success(try NIOSSLContext(configuration: self.configuration))
            } catch {
                made = .failure(.failed("TLS setup failed: \(error)"))
            }
            cached = made
            return made
        }
        return try result.get()
    }
}
