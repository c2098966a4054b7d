import Foundation
import OneBotSpec
import TrefoilJSON

/// An action's parameters, read leniently: numbers may arrive as strings (`"123"`), booleans as
/// `"true"`/`"1"`, and every alias of a parameter is accepted (docs/onebot11.md §1.2).
public struct Params: Sendable, Equatable {
    public var values: [String: JSONValue]
    /// Who is calling, as the transport names it (a WebSocket connection; every HTTP caller is `"http"`): not a
    /// parameter, but what the bound on pending uploads per connection counts by.
    public var client = "http"

    public init(_ values: [String: JSONValue] = [:]) { self.values = values }

    /// Form and query parameters: every value is a string.
    public init(strings: [String: String]) {
        values = strings.mapValues { .string($0) }
    }

    /// These parameters with `other` underneath: keys present here win.
    public func merging(under other: Params) -> Params {
        var merged = Params(values.merging(other.values) { mine, _ in mine })
        merged.client = client
        return merged
    }

    /// Bytes sent as base64 text (standard alphabet; line breaks and other stray characters are skipped).
    public func optionalBase64(_ spec: ParamSpec) throws(OneBotError) -> Data? {
        guard let (name, value) = lookup(spec) else { return nil }
        guard case .string(let text) = value else { throw .invalid(name, "expected a base64 string") }
        let body = text.hasPrefix("base64://") ? text.dropFirst("base64://".count) : Substring(text)
        guard let data = Self.decodedBase64(body) else { throw .invalid(name, "not valid base64") }
        return data
    }

    /// Standard base64, padding optional; line breaks and other stray characters are skipped (tried only when the
    /// strict decoding fails, which is the slower one).
    static func decodedBase64(_ text: Substring) -> Data? {
        let text = String(text)
        if let data = Data(base64Encoded: text) ?? Data(base64Encoded: text, options: .ignoreUnknownCharacters) {
            return data
        }
        // Foundation wants the padding: put back what a client left off, once the stray characters are gone.
        var kept = String(text.unicodeScalars.filter { $0.isASCII && Self.base64Alphabet.contains(UInt8($0.value)) })
        guard !kept.isEmpty, kept.utf8.count % 4 != 1 else { return nil }
        kept += String(repeating: "=", count: (4 - kept.utf8.count % 4) % 4)
        return Data(base64Encoded: kept)
    }

    private static let base64Alphabet = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public func base64(_ spec: ParamSpec) throws(OneBotError) -> Data {
        guard let data = try optionalBase64(spec) else { throw .lack(spec.name) }
        return data
    }

    /// About how much memory these params hold: the UTF-8 bytes of every string and key, plus a word or two
    /// per value. What `BackgroundActions` counts against its byte limit while an action waits or runs.
    public var heldBytes: Int64 { JSONValue.object(values).heldBytes }

    /// The first non-null value under any of the spec's names, with the name it came under.
    func lookup(_ spec: ParamSpec) -> (name: String, value: JSONValue)? {
        for name in spec.names {
            if let value = values[name], value != .null { return (name, value) }
        }
        return nil
    }

    public func int64(_ spec: ParamSpec) throws(OneBotError) -> Int64 {
        guard let value = try optionalInt64(spec) else { throw .lack(spec.name) }
        return value
    }

    public func optionalInt64(_ spec: ParamSpec) throws(OneBotError) -> Int64? {
        guard let (name, value) = lookup(spec) else { return nil }
        switch value {
        case .int(let int): return int
        case .double(let double) where double.rounded() == double && abs(double) < 9.0e18: return Int64(double)
        case .string(let text):
            let trimmed = text.trimmingWhitespace
            if trimmed.isEmpty { return nil }
            if let int = Int64(trimmed) { return int }
            throw .invalid(name, "expected an integer, got \"\(text.prefix(40))\"")
        default: throw .invalid(name, "expected an integer")
        }
    }

    public func optionalInt(_ spec: ParamSpec) throws(OneBotError) -> Int? {
        guard let value = try optionalInt64(spec) else { return nil }
        guard let int = Int32(exactly: value) else { throw .invalid(spec.name, "\(value) is out of range") }
        return Int(int)
    }

    /// A required string; an empty one counts as missing.
    public func string(_ spec: ParamSpec) throws(OneBotError) -> String {
        guard let value = try optionalString(spec), !value.isEmpty else { throw .lack(spec.name) }
        return value
    }

    public func optionalString(_ spec: ParamSpec) throws(OneBotError) -> String? {
        guard let (name, value) = lookup(spec) else { return nil }
        switch value {
        case .string(let text): return text
        case .int(let int): return String(int)
        case .double(let double): return String(double)
        case .bool(let bool): return String(bool)
        default: throw .invalid(name, "expected a string")
        }
    }

    public func optionalBool(_ spec: ParamSpec) throws(OneBotError) -> Bool? {
        guard let (name, value) = lookup(spec) else { return nil }
        switch value {
        case .bool(let bool): return bool
        case .int(let int) where int == 0 || int == 1: return int == 1
        case .string(let text):
            switch text.trimmingWhitespace.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no", "": return false
            default: throw .invalid(name, "expected a boolean, got \"\(text.prefix(40))\"")
            }
        default: throw .invalid(name, "expected a boolean")
        }
    }

    /// Request headers given as `K=V` lines in one string, as an array of `K=V` strings, or as an object of strings
    /// (OneBot 12's `map[string]string`).
    public func headers(_ spec: ParamSpec) throws(OneBotError) -> [(String, String)] {
        guard let (name, value) = lookup(spec) else { return [] }
        let lines: [String]
        switch value {
        case .string(let text): lines = text.split(whereSeparator: \.isNewline).map(String.init)
        case .object(let members):
            lines = try members.keys.sorted().map { key throws(OneBotError) -> String in
                guard case .string(let text)? = members[key] else {
                    throw .invalid(name, "header values must be strings")
                }
                return "\(key)=\(text)"
            }
        case .array(let items):
            lines = try items.map { item throws(OneBotError) -> String in
                guard case .string(let text) = item else { throw .invalid(name, "expected strings of the form K=V") }
                return text
            }
        default: throw .invalid(name, "expected a string or an array of strings")
        }
        var headers: [(String, String)] = []
        for rawLine in lines {
            let line = rawLine.trimmingWhitespace
            if line.isEmpty { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw .invalid(name, "\"\(line.prefix(40))\" is not K=V")
            }
            let key = String(line[..<equals]).trimmingWhitespace
            let value = String(line[line.index(after: equals)...]).trimmingWhitespace
            guard !key.isEmpty, !key.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == ":" }),
                // "\r\n" is one Character, so look at scalars: a header value must not smuggle a line.
                !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" })
            else { throw .invalid(name, "\"\(line.prefix(40))\" is not a valid header") }
            headers.append((key, value))
        }
        return headers
    }
}

extension JSONValue {
    /// See `Params.heldBytes`.
    var heldBytes: Int64 {
        let overhead: Int64 = 16
        switch self {
        case .null, .bool, .int, .double: return overhead
        case .string(let text): return overhead + Int64(text.utf8.count)
        case .array(let items): return items.reduce(overhead) { $0 + $1.heldBytes }
        case .object(let members):
            return members.reduce(overhead) { $0 + overhead + Int64($1.key.utf8.count) + $1.value.heldBytes }
        case .fragment(let fragment): return overhead + Int64(fragment.count)
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
