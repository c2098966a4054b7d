import Crypto
import Foundation

/// The access-token rule of docs/onebot11.md §1.1, shared by HTTP and the WebSocket handshake.
struct AccessToken: Sendable {
    enum Verdict: Equatable {
        case allowed
        /// No token was presented: 401.
        case missing
        /// A token was presented and it is wrong: 403.
        case wrong
    }

    private let expected: [UInt8]?

    /// An empty `token` lets every request through.
    init(_ token: String) {
        expected = token.isEmpty ? nil : Array(token.utf8)
    }

    /// Judges `Authorization: Bearer <t>` / `Token <t>` and the `access_token` query parameter.
    func check(authorization: String?, query: String?) -> Verdict {
        guard let expected else { return .allowed }
        var presented: [String] = []
        if let authorization {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, ["bearer", "token"].contains(parts[0].lowercased()) {
                presented.append(String(parts[1]).trimmingCharacters(in: .whitespaces))
            }
        }
        if let query {
            for pair in query.split(separator: "&") where pair.hasPrefix("access_token=") {
                let raw = String(pair.dropFirst("access_token=".count))
                presented.append(raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? raw)
            }
        }
        guard !presented.isEmpty else { return .missing }
        return presented.contains { Self.constantTimeEquals(Array($0.utf8), expected) } ? .allowed : .wrong
    }

    /// Judges a request by its `Authorization` header and the query of its target (`/path?query`).
    func check(authorization: String?, target: String) -> Verdict {
        let query = target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) }
        return check(authorization: authorization, query: query)
    }

    /// Compares digests so that timing reveals neither the token's bytes nor its length.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let da = SHA256.hash(data: a)
        let db = SHA256.hash(data: b)
        var difference: UInt8 = 0
        for (x, y) in zip(da, db) { difference |= x ^ y }
        return difference == 0
    }
}
