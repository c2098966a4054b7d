import NIOCore
import OneBotV11
import TrefoilConfiguration
import TrefoilCore

/// The face's URL source, on `SafeFetcher` with the `upload` settings of the config.
struct URLFetcher: RemoteFileFetcher {
    let fetcher: SafeFetcher

    init(config: TrefoilConfig) {
        fetcher = SafeFetcher(
            configuration: .init(
                timeout: .milliseconds(config.upload.urlFetchTimeoutMS),
                totalTimeout: .milliseconds(config.upload.urlFetchTotalTimeoutMS),
                allowPrivateNetworks: config.upload.allowPrivateNetworks,
                maxBytes: config.limits.maxFileBytes,
                userAgent: "Trefoil/\(TrefoilVersion.current)"))
    }

    func fetch(_ url: String, headers: [(String, String)]) async throws -> RemoteFile {
        let response: FetchResponse
        do {
            response = try await fetcher.get(url, headers: headers)
        } catch {
            throw Self.mapped(error)
        }
        let body = IteratorBox(response.body.makeAsyncIterator())
        let bytes = AsyncThrowingStream<[UInt8], any Error> {
            do {
                return try await body.next().map { Array($0.readableBytesView) }
            } catch let error as FetchError {
                throw Self.mapped(error)
            }
        }
        return RemoteFile(suggestedName: response.suggestedFileName, bytes: bytes)
    }

    static func mapped(_ error: FetchError) -> any Error {
        switch error {
        case .refused(let reason): OneBotError.unsupported(reason)
        case .failed(let reason): OneBotError.downloadFailed(reason)
        case .tooLarge: TrefoilError.fileTooLarge
        }
    }
}

/// Lets the pull-based stream own the body's iterator: only the stream's single consumer calls
/// `next`, one call at a time, so the unchecked sendability holds.
private final class IteratorBox: @unchecked Sendable {
    private var iterator: FetchBody.AsyncIterator

    init(_ iterator: FetchBody.AsyncIterator) { self.iterator = iterator }

    func next() async throws -> ByteBuffer? { try await iterator.next() }
}
