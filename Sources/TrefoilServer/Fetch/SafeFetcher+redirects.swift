import NIOCore
import NIOHTTP1

extension SafeFetcher {
    private static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]
    // Credentials meant for one origin must not be replayed to wherever a redirect points.
    private static let originBoundHeaders: Set<String> = ["authorization", "cookie", "proxy-authorization"]

    /// GET, following redirects; returns once the response head of the final hop is in; the body streams.
    ///
    /// Every hop is parsed, resolved and checked against the address policy like the first one.
    public func get(_ url: String, headers: [(String, String)] = []) async throws(FetchError) -> FetchResponse {
        var target = try FetchTarget(parsing: url)
        var headers = headers
        var redirectsFollowed = 0
        // One budget for every hop, so redirects cannot multiply the total time limit.
        let deadline = self.makeDeadline()
        while true {
            let exchange = try await self.exchange(
                with: target, method: .GET, headers: headers, body: nil, deadline: deadline)
            let status = Int(exchange.head.status.code)
            if Self.redirectStatuses.contains(status), let location = exchange.head.headers.first(name: "location") {
                exchange.close()
                guard redirectsFollowed < self.configuration.maxRedirects else {
                    throw .failed("too many redirects")
                }
                redirectsFollowed += 1
                let next = try target.redirected(to: location)
                if next.origin != target.origin {
                    headers.removeAll { Self.originBoundHeaders.contains($0.0.lowercased()) }
                }
                target = next
                continue
            }
            guard (200..<300).contains(status) else {
                exchange.close()
                throw .failed("HTTP \(status)")
            }
            let contentLength = try self.checkedContentLength(of: exchange)
            let fileName = SuggestedFileName.from(
                contentDisposition: exchange.head.headers.first(name: "content-disposition"),
                percentEncodedPath: target.percentEncodedPath
            )
            return FetchResponse(
                status: status,
                headers: exchange.head.headers.map { ($0.name, $0.value) },
                contentLength: contentLength,
                suggestedFileName: fileName,
                finalURL: target.url.absoluteString,
                body: exchange.body
            )
        }
    }
}
