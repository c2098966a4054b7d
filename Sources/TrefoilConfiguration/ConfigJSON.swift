import Foundation

/// A parsed JSON value for config loading.
///
/// Foundation's parsers lose what problem reports need: object member order (problems are reported in file order),
/// the difference between `true` and `1` (booleans must be real booleans), and a number's exact text (integers are
/// checked exactly, without a round trip through `Double`).
enum ConfigJSON: Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([ConfigJSON])
    case object([Member])

    /// One `"key": value` pair of an object, kept in document order.
    struct Member: Equatable {
        let key: String
        let value: ConfigJSON
    }
}

/// Why a text is not valid JSON, with the line and column where parsing stopped.
struct ConfigJSONSyntaxError: Error {
    let reason: String
}

/// A strict RFC 8259 parser producing `ConfigJSON`.
///
/// Error reasons never quote the text around the failure beyond JSON punctuation, because the failure may sit inside
/// a secret such as an unquoted `access_token`.
struct ConfigJSONParser {
    // Deep enough for any real config; the limit keeps hostile input from exhausting the stack.
    private static let maxDepth = 64
    private static let punctuation: Set<UInt8> = Set("{}[],:\"".utf8)

    private let bytes: [UInt8]
    private var index = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses one JSON document.
    static func parse(_ data: Data) throws(ConfigJSONSyntaxError) -> ConfigJSON {
        var bytes = [UInt8](data)
        // Editors on some platforms save a byte order mark; it carries no meaning in UTF-8.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        // Validating up front lets string contents be decoded without further checks.
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ConfigJSONSyntaxError(reason: "the text is not valid UTF-8")
        }
        var parser = ConfigJSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.failure("unexpected text after the JSON value") }
        return value
    }

    private var next: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = next, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func parseValue(depth: Int) throws(ConfigJSONSyntaxError) -> ConfigJSON {
        guard let byte = next else { throw failure(expected: "a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw failure(expected: "a value")
        }
    }

    private mutating func parseObject(depth: Int) throws(ConfigJSONSyntaxError) -> ConfigJSON {
        guard depth <= Self.maxDepth else { throw failure("nesting deeper than \(Self.maxDepth) levels") }
        index += 1
        skipWhitespace()
        var members: [ConfigJSON.Member] = []
        if next == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard next == UInt8(ascii: "\"") else { throw failure(expected: "a quoted key") }
            let key = try parseString()
            skipWhitespace()
            guard next == UInt8(ascii: ":") else { throw failure(expected: "':' after the key") }
            index += 1
            skipWhitespace()
            members.append(ConfigJSON.Member(key: key, value: try parseValue(depth: depth)))
            skipWhitespace()
            switch next {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default: throw failure(expected: "',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(ConfigJSONSyntaxError) -> ConfigJSON {
        guard depth <= Self.maxDepth else { throw failure("nesting deeper than \(Self.maxDepth) levels") }
        index += 1
        skipWhitespace()
        var elements: [ConfigJSON] = []
        if next == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            switch next {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: throw failure(expected: "',' or ']'")
            }
        }
    }

    private mutating func parseLiteral(_ word: String, _ value: ConfigJSON) throws(ConfigJSONSyntaxError) -> ConfigJSON
    {
        let word = Array(word.utf8)
        guard bytes[index...].starts(with: word) else { throw failure(expected: "a value") }
        index += word.count
        return value
    }

    private mutating func parseNumber() throws(ConfigJSONSyntaxError) -> ConfigJSON {
        let start = index
        if next == UInt8(ascii: "-") { index += 1 }
        if next == UInt8(ascii: "0") {
            index += 1
        } else {
            guard skipDigits() else { throw failure(expected: "a digit") }
        }
        if next == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() else { throw failure(expected: "a digit after '.'") }
        }
        if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            index += 1
            if next == UInt8(ascii: "+") || next == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() else { throw failure(expected: "a digit in the exponent") }
        }
        return .number(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    /// Skips a run of digits; false when there was none.
    private mutating func skipDigits() -> Bool {
        let start = index
        while let byte = next, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
        return index > start
    }

    private mutating func parseString() throws(ConfigJSONSyntaxError) -> String {
        let opening = index
        index += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = next else {
                index = opening
                throw failure("string is never closed")
            }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                try parseEscape(into: &utf8)
            case 0x00..<0x20:
                throw failure("control character in a string (write it as an escape such as \\n)")
            default:
                utf8.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(ConfigJSONSyntaxError) {
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
            UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]
        guard let byte = next else { throw failure("string is never closed") }
        if let replacement = simple[byte] {
            utf8.append(replacement)
            index += 1
            return
        }
        guard byte == UInt8(ascii: "u") else { throw failure("invalid escape sequence in a string") }
        index += 1
        var scalar = try parseHexQuad()
        if (0xD800..<0xDC00).contains(scalar) {
            guard bytes[index...].starts(with: Array("\\u".utf8)) else {
                throw failure("unpaired surrogate in a \\u escape")
            }
            index += 2
            let low = try parseHexQuad()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate in a \\u escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let unicodeScalar = Unicode.Scalar(scalar) else { throw failure("unpaired surrogate in a \\u escape") }
        utf8.append(contentsOf: String(Character(unicodeScalar)).utf8)
    }

    private mutating func parseHexQuad() throws(ConfigJSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count,
            let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
            bytes[index..<index + 4].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") })
        else { throw failure("invalid \\u escape in a string (expected four hex digits)") }
        index += 4
        return value
    }

    private func failure(expected: String) -> ConfigJSONSyntaxError {
        guard let byte = next else { return failure("unexpected end of input (expected \(expected))") }
        if Self.punctuation.contains(byte) {
            return failure("unexpected '\(Character(Unicode.Scalar(byte)))' (expected \(expected))")
        }
        return failure("unexpected character (expected \(expected))")
    }

    private func failure(_ what: String) -> ConfigJSONSyntaxError {
        var line = 1
        var column = 1
        for byte in bytes[..<min(index, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                // Counting only lead bytes makes the column a character count, as editors show it.
                column += 1
            }
        }
        return ConfigJSONSyntaxError(reason: "\(what) at line \(line), column \(column)")
    }
}
