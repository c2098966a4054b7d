import Foundation

/// The range an integer key accepts; every integer key has both ends (see `ConfigBound`).
public struct ConfigIntegerRule: Sendable {
    public let minimum: Int64
    public let maximum: Int64

    /// From `minimum` to `maximum`, both included.
    public static func between(_ minimum: Int64, _ maximum: Int64) -> ConfigIntegerRule {
        ConfigIntegerRule(minimum: minimum, maximum: maximum)
    }

    /// What is wrong with `value`, or nil when it is allowed.
    func problem(for value: Int64) -> String? {
        guard value < minimum || value > maximum else { return nil }
        return "\(value) is out of range (allowed: \(minimum) to \(maximum))"
    }
}

/// A check on a string key's value.
public struct ConfigStringRule: Sendable {
    /// What is wrong with a value, or nil when it is allowed.
    public let problem: @Sendable (String) -> String?

    /// A rule of its own: `problem` says what is wrong and what is allowed, such as
    /// `"abc" is not a valid name (allowed: letters and digits)`; quote values with `ConfigWording.quoted`.
    public init(problem: @escaping @Sendable (String) -> String?) {
        self.problem = problem
    }

    public static var any: ConfigStringRule { ConfigStringRule { _ in nil } }

    public static func nonBlank(allowed: String) -> ConfigStringRule {
        ConfigStringRule { value in
            value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                ? "must not be empty (allowed: \(allowed))" : nil
        }
    }

    public static var absolutePath: ConfigStringRule {
        ConfigStringRule { value in
            value.hasPrefix("/")
                ? nil : "\(ConfigWording.quoted(value)) is not an absolute path (allowed: a path starting with \"/\")"
        }
    }

    public static var httpURL: ConfigStringRule { url(schemes: ["http", "https"], article: "an", allowEmpty: false) }

    /// An http(s) URL, or "" for one left unset.
    public static var httpURLOrEmpty: ConfigStringRule {
        url(schemes: ["http", "https"], article: "an", allowEmpty: true)
    }

    /// An S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or
    /// digit), or "" for one left unset.
    public static var bucketName: ConfigStringRule {
        ConfigStringRule { value in
            let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
            let edges = Set("abcdefghijklmnopqrstuvwxyz0123456789")
            if value.isEmpty
                || ((3...63).contains(value.count) && value.allSatisfy(allowed.contains)
                    && edges.contains(value.first!) && edges.contains(value.last!))
            {
                return nil
            }
            return "\(ConfigWording.quoted(value)) is not a valid bucket name (allowed: 3 to 63 lowercase letters, "
                + "digits, dots and hyphens, starting and ending with a letter or digit)"
        }
    }

    /// A key prefix inside a bucket: path segments of printable ASCII without "." or ".." segments, no leading or
    /// trailing "/"; "" for none.
    public static var keyPrefix: ConfigStringRule {
        ConfigStringRule { value in
            let segments = value.split(separator: "/", omittingEmptySubsequences: false)
            let printable = value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f && $0 != "\\" }
            if value.isEmpty
                || (printable && value.count <= 512
                    && segments.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." })
            {
                return nil
            }
            return "\(ConfigWording.quoted(value)) is not a valid key prefix (allowed: up to 512 printable ASCII "
                + "characters in \"/\"-separated names, none empty, \".\" or \"..\", or \"\" for none)"
        }
    }

    /// A WebSocket URL, or "" for an entry that leaves this URL unset.
    public static var webSocketURLOrEmpty: ConfigStringRule {
        url(schemes: ["ws", "wss"], article: "a", allowEmpty: true)
    }

    public static func oneOf(_ choices: [String], what: String) -> ConfigStringRule {
        ConfigStringRule { value in
            choices.contains(value)
                ? nil
                : "\(ConfigWording.quoted(value)) is not a valid \(what) (allowed: "
                    + choices.map(ConfigWording.quoted).joined(separator: ", ") + ")"
        }
    }

    private static func url(schemes: [String], article: String, allowEmpty: Bool) -> ConfigStringRule {
        ConfigStringRule { value in
            if allowEmpty && value.isEmpty { return nil }
            if let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
                schemes.contains(scheme), let host = components.host, !host.isEmpty
            {
                return nil
            }
            let allowed = "\(article) " + schemes.map { "\($0)://" }.joined(separator: " or ") + " URL with a host"
            return "\(ConfigWording.quoted(value)) is not a valid URL (allowed: \(allowed)"
                + (allowEmpty ? ", or \"\" for none)" : ")")
        }
    }
}

/// The outcome of reading an integer from JSON number text or an environment value.
enum ConfigIntegerLiteral: Equatable {
    case value(Int64)
    case notAnInteger
    case doesNotFit

    static let fitProblem = "does not fit in a 64-bit integer (allowed: \(Int64.min) to \(Int64.max))"

    /// Reads a JSON number literal exactly, accepting whole values written as `5.0` or `1e3`.
    static func parse(json text: String) -> ConfigIntegerLiteral {
        let negative = text.hasPrefix("-")
        let unsigned = negative ? text.dropFirst() : Substring(text)
        let mantissa = unsigned.prefix { $0 != "e" && $0 != "E" }
        let exponentText = unsigned.dropFirst(mantissa.count + 1)
        let integerPart = mantissa.prefix { $0 != "." }
        let fractionPart = mantissa.dropFirst(integerPart.count + 1)
        var digits = Substring(String(integerPart) + String(fractionPart)).drop { $0 == "0" }
        if digits.isEmpty { return .value(0) }
        // An exponent too long to read is far outside Int64 either way; only its sign matters.
        let exponent: Int
        if exponentText.isEmpty {
            exponent = 0
        } else if let parsed = Int(exponentText.hasPrefix("+") ? exponentText.dropFirst() : exponentText),
            abs(parsed) < 1_000
        {
            exponent = parsed
        } else {
            return exponentText.hasPrefix("-") ? .notAnInteger : .doesNotFit
        }
        var scale = exponent - fractionPart.count
        while digits.last == "0" {
            digits = digits.dropLast()
            scale += 1
        }
        guard scale >= 0 else { return .notAnInteger }
        guard digits.count + scale <= 19 else { return .doesNotFit }
        let magnitude = String(digits) + String(repeating: "0", count: scale)
        guard let value = Int64((negative ? "-" : "") + magnitude) else { return .doesNotFit }
        return .value(value)
    }

    /// Reads an environment value strictly: an optional `-` and decimal digits, nothing else.
    static func parse(environment text: String) -> ConfigIntegerLiteral {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .notAnInteger }
        guard let value = Int64(text) else { return .doesNotFit }
        return .value(value)
    }
}
