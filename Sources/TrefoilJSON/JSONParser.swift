import Foundation

/// The JSON parser, in two modes that share one grammar (`JSONReader`).
///
/// **Frames** (`parse`) are read for speed into `JSONValue`. `JSONDecoder` over `JSONValue` tries each type in
/// turn and throws on every miss, which cost more than the rest of a small action together. This reads straight
/// from the frame's bytes (a WebSocket frame's `String` in place): strings without escapes become `String`s in one
/// validating copy, integers are read digit by digit, and an object's members are hashed once, into a table of the
/// right size. The first version of this parser (an array per string, a `String` per number, an array literal per
/// whitespace test, the generic `String(validating:as:)`) took 28,700 instructions per request on a mix of three
/// typical frames given as `Data`; this one takes 12,000 from `Data` and 9,900 from the frame's `String`
/// (callgrind, 30,000 frames). Sharing its grammar with documents and living in its own module cost it 3.6 % on
/// tools/json-measure's frames (11,840 → 12,270 instructions). A failure is only nil: nothing is spent on saying where.
///
/// **Documents** (`parseOrdered`) are read for the person who wrote them into `OrderedJSON`: members in document
/// order with duplicates kept, numbers as their text, and a failure that says what and at which line and column.
public enum JSONParser {
    /// How deeply a frame may nest arrays and objects; deeper frames are refused, so no input exhausts the stack.
    public static let maxDepth = 512

    /// The JSON text in `data`, or nil when it is not JSON.
    ///
    /// A number read as `.int` or `.double` writes back in its own form (`1.0` as `1`, `-0` as `0`,
    /// `18446744073709551616` as `1.8446744073709552e+19`). A value that must travel back exactly as it came (a
    /// request's `echo`) is named by `keepingTextOf`: when that top-level member holds such a number, it becomes a
    /// `.fragment` of its original text. The parser counts the numbers that may not write back as they came (those off
    /// the integer fast path, and `-0`), so a member without one costs nothing more: no copy, no comparison.
    public static func parse(_ data: Data, keepingTextOf member: String? = nil) -> JSONValue? {
        data.withUnsafeBytes { parse($0.bindMemory(to: UInt8.self), keepingTextOf: member) }
    }

    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        bytes.withUnsafeBufferPointer { parse($0) }
    }

    /// Parses a frame's text without copying it first.
    public static func parse(_ text: String, keepingTextOf member: String? = nil) -> JSONValue? {
        var text = text
        return text.withUTF8 { parse($0, keepingTextOf: member) }
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, keepingTextOf member: String? = nil) -> JSONValue? {
        var reader = JSONReader<JSONValue>(bytes, keepingTextOf: member)
        return reader.document()
    }

    /// The JSON document in `data`, as written: see `OrderedJSON`. Nests up to `OrderedJSON.maxDepth` deep.
    ///
    /// Error reasons never quote the text around the failure beyond one punctuation character, because the failure
    /// may sit inside a secret, such as an unquoted token in a config file.
    public static func parseOrdered(_ data: Data) throws(JSONSyntaxError) -> OrderedJSON {
        let result = data.withUnsafeBytes { raw -> Result<OrderedJSON, JSONSyntaxError> in
            let bytes = raw.bindMemory(to: UInt8.self)
            // Checked first so that a stray byte is named as what it is wherever it sits, not as a bad token.
            if let offset = JSONSyntaxError.firstInvalidUTF8(in: bytes) {
                return .failure(JSONSyntaxError(.invalidUTF8, at: offset, in: bytes))
            }
            var reader = JSONReader<OrderedJSON>(bytes, keepingTextOf: nil)
            if let document = reader.document() { return .success(document) }
            // Every way to fail notes its problem; the fallback only keeps a missed one from crashing the caller.
            let failure = reader.failure ?? (.trailingText, bytes.count)
            return .failure(JSONSyntaxError(failure.problem, at: failure.offset, in: bytes))
        }
        return try result.get()
    }
}

/// RFC 8259 read from bytes; `Tree` decides what each value becomes, which is all that differs between the modes.
/// Generic so that each mode is specialised whole: the frame mode has no branch on the mode anywhere.
struct JSONReader<Tree: JSONTree> {
    private let bytes: UnsafeBufferPointer<UInt8>
    /// The top-level member whose value is kept as its text when a number in it would not write back as written.
    private let keptMember: String?
    private var index = 0
    private var depth = 0
    /// Numbers read so far whose value may write back in another form than their text.
    private var reshapedNumbers = 0
    /// The first problem met and the byte offset it was met at, when `Tree` explains failures.
    private(set) var failure: (problem: JSONProblem, offset: Int)?

    init(_ bytes: UnsafeBufferPointer<UInt8>, keepingTextOf keptMember: String?) {
        self.bytes = bytes
        self.keptMember = keptMember
    }

    /// The one value the bytes hold, with nothing but whitespace around it.
    mutating func document() -> Tree? {
        guard let value = value() else { return nil }
        skipSpace()
        guard index == bytes.count else { return fail(.trailingText) }
        return value
    }

    /// Notes the problem where it arose (outer levels only pass the nil on) and returns nil. Frames skip the note:
    /// the store alone cost 70 instructions per typical frame (callgrind), failing or not.
    private mutating func fail<Value>(_ problem: JSONProblem, at offset: Int? = nil) -> Value? {
        if Tree.explainsFailures, failure == nil { failure = (problem, offset ?? index) }
        return nil
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func value() -> Tree? {
        skipSpace()
        guard index < bytes.count else { return fail(.expected(.value)) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string().map(Tree.parsedString)
        case UInt8(ascii: "t"): return literal("true", Tree.parsedBool(true))
        case UInt8(ascii: "f"): return literal("false", Tree.parsedBool(false))
        case UInt8(ascii: "n"): return literal("null", Tree.parsedNull)
        default: return number()
        }
    }

    private mutating func literal(_ text: StaticString, _ value: Tree) -> Tree? {
        let count = text.utf8CodeUnitCount
        guard bytes.count - index >= count else { return fail(.expected(.value)) }
        for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] {
            return fail(.expected(.value))
        }
        index += count
        return value
    }

    private mutating func object() -> Tree? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Tree.maxDepth else { return fail(.tooDeep(Tree.maxDepth)) }
        index += 1
        // Members are gathered first and made into an object once, at its end.
        var members: [(String, Tree)] = []
        members.reserveCapacity(8)
        skipSpace()
        if peek(UInt8(ascii: "}")) {
            index += 1
            return Tree.parsedObject(members)
        }
        while true {
            skipSpace()
            guard peek(UInt8(ascii: "\"")) else { return fail(.expected(.key)) }
            guard let key = string() else { return nil }
            skipSpace()
            guard peek(UInt8(ascii: ":")) else { return fail(.expected(.colon)) }
            index += 1
            let (valueStart, reshapedBefore) = (index, reshapedNumbers)
            guard let member = value() else { return nil }
            // Two appends, not a reassigned `var member`: that cost every member of every frame a copy (a retain
            // and a release), 350 instructions per frame of the three typical ones (callgrind).
            if reshapedNumbers != reshapedBefore, depth == 1, let keptMember, key == keptMember {
                members.append((key, Tree.keepingText(of: member, text(from: valueStart))))
            } else {
                members.append((key, member))
            }
            skipSpace()
            guard index < bytes.count else { return fail(.expected(.objectSeparator)) }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return Tree.parsedObject(members)
            } else {
                return fail(.expected(.objectSeparator))
            }
        }
    }

    /// The text of the value just read, from `start` (leading whitespace skipped) to `index`.
    private func text(from start: Int) -> UnsafeBufferPointer<UInt8> {
        var start = start
        while bytes[start] == 0x20 || bytes[start] == 0x09 || bytes[start] == 0x0A || bytes[start] == 0x0D {
            start += 1
        }
        return UnsafeBufferPointer(rebasing: bytes[start..<index])
    }

    private mutating func array() -> Tree? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Tree.maxDepth else { return fail(.tooDeep(Tree.maxDepth)) }
        index += 1
        var items: [Tree] = []
        skipSpace()
        if peek(UInt8(ascii: "]")) {
            index += 1
            return Tree.parsedArray(items)
        }
        while true {
            guard let item = value() else { return nil }
            items.append(item)
            skipSpace()
            guard index < bytes.count else { return fail(.expected(.arraySeparator)) }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return Tree.parsedArray(items)
            } else {
                return fail(.expected(.arraySeparator))
            }
        }
    }

    /// A string from its opening quote: one validating copy when it has no escapes (almost always).
    private mutating func string() -> String? {
        let opening = index
        index += 1
        let start = index
        index = Self.plainRunEnd(bytes, from: index)
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard let text = Self.validString(UnsafeBufferPointer(rebasing: bytes[start..<index])) else {
                    return fail(.invalidUTF8, at: opening)
                }
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
            if byte < 0x20 { return fail(.controlCharacter) }
            index += 1
        }
        return fail(.unclosedString, at: opening)
    }

    /// The rest of a string that has escapes, from its first byte (`start`); `index` is at a backslash.
    private mutating func escapedString(from start: Int) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(index - start + 16)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") {
                guard let text = out.withUnsafeBufferPointer({ Self.validString($0) }) else {
                    return fail(.invalidUTF8, at: start - 1)
                }
                return text
            }
            if byte < 0x20 { return fail(.controlCharacter, at: index - 1) }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            guard index < bytes.count else { return fail(.unclosedString) }
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
                    else { return fail(.unpairedSurrogate) }
                    index += 2
                    guard let low = hex4() else { return nil }
                    guard (0xDC00..<0xE000).contains(low) else { return fail(.unpairedSurrogate) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                // A low surrogate with no high one before it is the only value left that is no scalar.
                guard let unicode = Unicode.Scalar(scalar) else { return fail(.unpairedSurrogate) }
                out.append(contentsOf: UTF8.encode(unicode)!)
            default: return fail(.invalidEscape, at: index - 1)
            }
        }
        return fail(.unclosedString, at: start - 1)
    }

    /// The string these bytes spell, or nil when they are not UTF-8. `String(validating:as:)` is
    /// generic and was not specialised here: its metadata lookups cost more than the rest of the
    /// parse. Decoding repairs invalid bytes, so the text is valid exactly when it reads back the same.
    private static func validString(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        let text = String(decoding: utf8, as: UTF8.self)
        if isASCII(utf8) { return text }
        let same = text.utf8.withContiguousStorageIfAvailable { $0.elementsEqual(utf8) }
        return (same ?? text.utf8.elementsEqual(utf8)) ? text : nil
    }

    /// Where the run of string bytes from `start` that need no look (no quote, backslash or control character) ends,
    /// eight bytes at a time: a fragment's base64 is megabytes of them, and a byte-at-a-time scan with three tests
    /// per byte was the server's largest cost after the digests while 4 MiB fragments arrived. Stops at or before the
    /// first byte that needs one; the caller's byte loop takes it from there.
    static func plainRunEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = UnsafeRawPointer(bytes.baseAddress) else { return start }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        while index + 8 <= bytes.count {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
            let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
            // A byte is zero in `quote` or `backslash`, or below 0x20 in `word`, exactly when its high bit is set
            // here (the classic "has zero byte" and "has byte less than" tests; bytes of 0x80 and up never flag).
            let zeroQuote = (quote &- ones) & ~quote
            let zeroBackslash = (backslash &- ones) & ~backslash
            let control = (word &- ones &* 0x20) & ~word
            if (zeroQuote | zeroBackslash | control) & highs != 0 { break }
            index += 8
        }
        return index
    }

    /// Whether every byte is below 0x80, eight at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = UnsafeRawPointer(bytes.baseAddress) else { return true }
        var index = 0
        var seen: UInt64 = 0
        while index + 8 <= bytes.count {
            seen |= base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            seen |= UInt64(bytes[index])
            index += 1
        }
        return seen & 0x8080_8080_8080_8080 == 0
    }

    /// Four hex digits of a `\u` escape; on failure, `index` stays at the first of them.
    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return fail(.invalidHexEscape) }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return fail(.invalidHexEscape)
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    /// A number as RFC 8259 writes it: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. The tree gets
    /// its text, and its value too when it is an integer written as one that fits in `Int64` (the fast path).
    private mutating func number() -> Tree? {
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
            guard index > first else { return fail(.expected(negative ? .digit : .value)) }
        }
        var integral = true
        if peek(UInt8(ascii: ".")) {
            index += 1
            guard digits() > 0 else { return fail(.expected(.fractionDigit)) }
            integral = false
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            index += 1
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { index += 1 }
            guard digits() > 0 else { return fail(.expected(.exponentDigit)) }
            integral = false
        }
        let text = UnsafeBufferPointer(rebasing: bytes[start..<index])
        if integral, !overflowed {
            if negative {
                if magnitude == 0 { reshapedNumbers += 1 }  // -0 writes back as 0
                return Tree.parsedInteger(magnitude, text)
            }
            if magnitude != .min { return Tree.parsedInteger(-magnitude, text) }
        }
        reshapedNumbers += 1
        guard let number = Tree.parsedNumber(text, integral: integral) else {
            return fail(.numberOutOfRange, at: start)
        }
        return number
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
