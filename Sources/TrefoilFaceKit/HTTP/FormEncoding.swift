import Foundation

/// `application/x-www-form-urlencoded` text (query strings and form bodies) as key/value pairs.
public enum FormEncoding {
    /// Decodes `a=1&b=x+y`; later duplicates win. Returns nil for malformed percent-encoding.
    public static func decode(_ text: Substring) -> [String: String]? {
        guard let pairs = pairs(text) else { return nil }
        return Dictionary(pairs, uniquingKeysWith: { _, later in later })
    }

    /// Decodes `a=1&b=x+y&a=2` into every pair, in order, duplicates kept. Returns nil for malformed
    /// percent-encoding.
    public static func pairs(_ text: Substring) -> [(name: String, value: String)]? {
        var pairs: [(name: String, value: String)] = []
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = unescape(parts[0]) else { return nil }
            guard let value = parts.count > 1 ? unescape(parts[1]) : "" else { return nil }
            pairs.append((key, value))
        }
        return pairs
    }

    private static func unescape(_ text: Substring) -> String? {
        // Most names and values (a signed link's `expires` and `sig`) have nothing to unescape: Foundation's
        // replacing and percent-decoding were 18% of the time of answering a small download (perf, issue 18).
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else {
            return String(text)
        }
        return String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
