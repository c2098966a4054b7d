import Foundation

/// A small JSON reader for request frames. `JSONDecoder` over `JSONValue` tries each type in turn
/// and throws on every miss, which cost more than the rest of a small action together.
///
/// It reads straight from the frame's bytes (a WebSocket frame's `String` in place): strings without
/// escapes become `String`s in one validating copy, integers are read digit by digit, and an
/// object's members are hashed once, into a table of the right size. The first version of this
/// parser (an array per string, a `String` per number, an array literal per whitespace test, the
/// generic `String(validating:as:)`) took 28,700 instructions per request on a mix of three typical
/// frames given as `Data`; this one takes 12,000 from `Data` and 9,900 from the frame's `String`
/// (callgrind, 30,000 frames).
///
/// A request's `echo` must go back exactly as it came, but a number read as `.int` or `.double` writes back
/// in its own form (`1.0` as `1`, `-0` as `0`, `18446744073709551616` as `1.8446744073709552e+19`). With
/// `keepingEchoText`, a top-level `echo` that holds such a number becomes a `.fragment` of its original text.
/// The parser counts the numbers that may not write back as they came (those off the integer fast path, and
/// `-0`), so an echo without one costs nothing more: no copy, no comparison.
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let keepsEchoText: Bool
    private var index = 0
    private var depth = 0
    /// Numbers read so far whose value may write back in another form than their text.
    private var reshapedNumbers = 0
    static let maxDepth = 512

    static func parse(_ data: Data, keepingEchoText: Bool = false) -> JSONValue? {
        data.withUnsafeBytes { parse($0.bindMemory(to: UInt8.self), keepingEchoText: keepingEchoText) }
    }

    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        bytes.withUnsafeBufferPointer { parse($0) }
    }

    /// Parses a frame's text without copying it first.
    static func parse(_ text: String, keepingEchoText: Bool = false) -> JSONValue? {
        var text = text
        return text.withUTF8 { parse($0, keepingEchoText: keepingEchoText) }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, keepingEchoText: Bool = false) -> JSONValue? {
        var parser = JSONParser(bytes: bytes, keepsEchoText: keepingEchoText)
        guard let value = parser.value() else { return nil }
        parser.skipSpace()
        // Not a ternary: with `value` non-optional there, `nil` would read as `JSONValue.null`.
        guard parser.index == bytes.count else { return nil }
        return value
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, keepsEchoText: Bool) {
        self.bytes = bytes
        self.keepsEchoText = keepsEchoText
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func value() -> JSONValue? {
        skipSpace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return number()
        }
    }

    private mutating func literal(_ text: StaticString, _ value: JSONValue) -> JSONValue? {
        let count = text.utf8CodeUnitCount
        guard bytes.count - index >= count else { return nil }
        for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { return nil }
        index += count
        return value
    }

    private mutating func object() -> JSONValue? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { return nil }
        index += 1
        // Members are gathered first and hashed once, into a table of the right size.
        var members: [(String, JSONValue)] = []
        members.reserveCapacity(8)
        skipSpace()
        if peek(UInt8(ascii: "}")) {
            index += 1
            return .object([:])
        }
        while true {
            skipSpace()
            guard peek(UInt8(ascii: "\"")), let key = string() else { return nil }
            skipSpace()
            guard peek(UInt8(ascii: ":")) else { return nil }
            index += 1
            let (valueStart, reshapedBefore) = (index, reshapedNumbers)
            guard let member = value() else { return nil }
            // Two appends, not a reassigned `var member`: that cost every member of every frame a copy (a retain
            // and a release), 350 instructions per frame of the three typical ones (callgrind).
            if reshapedNumbers != reshapedBefore, keepsEchoText, depth == 1, key == "echo" {
                members.append((key, verbatim(member, from: valueStart)))
            } else {
                members.append((key, member))
            }
            skipSpace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                // The first of duplicate keys wins, as it did with JSONDecoder.
                return .object(Dictionary(members, uniquingKeysWith: { first, _ in first }))
            } else {
                return nil
            }
        }
    }

    /// `value`, just read from `start` (leading whitespace included) to `index`, as its own text when it would
    /// not write back as that text.
    private func verbatim(_ value: JSONValue, from start: Int) -> JSONValue {
        var start = start
        while [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        let text = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        var written: [UInt8] = []
        value.write(into: &written)
        return written == text ? value : .fragment(JSONFragment(verbatim: text))
    }

    private mutating func array() -> JSONValue? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { return nil }
        index += 1
        var items: [JSONValue] = []
        skipSpace()
        if peek(UInt8(ascii: "]")) {
            index += 1
            return .array(items)
        }
        while true {
            guard let item = value() else { return nil }
            items.append(item)
            skipSpace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            } else {
                return nil
            }
        }
    }

    /// A string from its opening quote: one validating copy when it has no escapes (almost always).
    private mutating func string() -> String? {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = Self.validString(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
            if byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    /// The rest of a string that has escapes, from its first byte (`start`); `index` is at a backslash.
    private mutating func escapedString(from start: Int) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(index - start + 16)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return out.withUnsafeBufferPointer { Self.validString($0) } }
            if byte < 0x20 { return nil }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            guard index < bytes.count else { return nil }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4() else { return nil }
                if (0xD800..<0xDC00).contains(scalar) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else { return nil }
                    index += 2
                    guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: UTF8.encode(unicode)!)
            default: return nil
            }
        }
        return nil
    }

    /// The string these bytes spell, or nil when they are not UTF-8. `String(validating:as:)` is
    /// generic and was not specialised here: its metadata lookups cost more than the rest of the
    /// parse. Decoding repairs invalid bytes, so the text is valid exactly when it reads back the same.
    private static func validString(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        let text = String(decoding: utf8, as: UTF8.self)
        if utf8.allSatisfy({ $0 < 0x80 }) { return text }
        let same = text.utf8.withContiguousStorageIfAvailable { $0.elementsEqual(utf8) }
        return (same ?? text.utf8.elementsEqual(utf8)) ? text : nil
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// A number as RFC 8259 writes it: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    /// Integers that fit read as `.int`; so do whole numbers written `5.0` or `1e3`, as JSONDecoder's
    /// `Int64` attempt read them; anything else finite is `.double`, and out-of-range values fail.
    private mutating func number() -> JSONValue? {
        let start = index
        let negative = peek(UInt8(ascii: "-"))
        if negative { index += 1 }
        // The integer part, accumulated negatively so that Int64.min fits, until it overflows.
        var magnitude: Int64 = 0
        var overflowed = false
        if peek(UInt8(ascii: "0")) {
            index += 1
        } else {
            let first = index
            while index < bytes.count, let digit = decimalDigit(bytes[index]) {
                let (shifted, overflowA) = magnitude.multipliedReportingOverflow(by: 10)
                let (next, overflowB) = shifted.subtractingReportingOverflow(Int64(digit))
                if overflowA || overflowB { overflowed = true } else { magnitude = next }
                index += 1
            }
            guard index > first else { return nil }
        }
        var integral = true
        if peek(UInt8(ascii: ".")) {
            index += 1
            guard digits() > 0 else { return nil }
            integral = false
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            index += 1
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { index += 1 }
            guard digits() > 0 else { return nil }
            integral = false
        }
        if integral, !overflowed {
            if negative {
                if magnitude == 0 { reshapedNumbers += 1 }  // -0 writes back as 0
                return .int(magnitude)
            }
            if magnitude != .min { return .int(-magnitude) }
        }
        reshapedNumbers += 1
        // ASCII only, so this cannot fail; the slow path is for fractions, exponents and overflow.
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        // An integer literal too large for Int64 stays a double, even where rounding lands on Int64.min.
        if !integral, value == value.rounded(), let whole = Int64(exactly: value) { return .int(whole) }
        return .double(value)
    }

    private func peek(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }

    private func decimalDigit(_ byte: UInt8) -> UInt8? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : nil
    }

    /// Skips a run of decimal digits and says how long it was.
    private mutating func digits() -> Int {
        let start = index
        while index < bytes.count, decimalDigit(bytes[index]) != nil { index += 1 }
        return index - start
    }
}
