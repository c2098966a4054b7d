/// Why a document is not valid JSON, and the line and column where reading stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in words, such as `unexpected '}' (expected a quoted key)`.
    public let reason: String
    /// 1-based; lines end at line feeds.
    public let line: Int
    /// 1-based, in characters (Unicode scalars) as editors count them, not bytes.
    public let column: Int

    public var description: String { "\(reason) at line \(line), column \(column)" }

    init(_ problem: JSONProblem, at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) {
        reason = problem.reason(at: offset, in: bytes)
        var line = 1
        var column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                // Counting only lead bytes makes the column a character count.
                column += 1
            }
        }
        self.line = line
        self.column = column
    }

    /// Where the first byte that is not UTF-8 sits, or nil when all of them are.
    static func firstInvalidUTF8(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}

/// What stopped the parser; `JSONSyntaxError` words it.
enum JSONProblem: Equatable {
    /// The byte at the offset (or the end of the input) is not the thing named.
    case expected(Expectation)
    case trailingText
    case tooDeep(Int)
    case unclosedString
    case controlCharacter
    case invalidEscape
    case invalidHexEscape
    case unpairedSurrogate
    case invalidUTF8
    /// A number the tree cannot hold (only `JSONValue` has limits: `1e400` is no `Double`).
    case numberOutOfRange

    /// What the parser looked for, in the words of "unexpected X (expected …)".
    enum Expectation: String {
        case value = "a value"
        case key = "a quoted key"
        case colon = "':' after the key"
        case objectSeparator = "',' or '}'"
        case arraySeparator = "',' or ']'"
        case digit = "a digit"
        case fractionDigit = "a digit after '.'"
        case exponentDigit = "a digit in the exponent"
    }

    private static let punctuation: Set<UInt8> = Set("{}[],:\"".utf8)

    func reason(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        switch self {
        case .expected(let expectation):
            let what = expectation.rawValue
            guard offset < bytes.count else { return "unexpected end of input (expected \(what))" }
            let byte = bytes[offset]
            // Only punctuation is quoted: the byte may belong to a secret.
            guard Self.punctuation.contains(byte) else { return "unexpected character (expected \(what))" }
            return "unexpected '\(Character(Unicode.Scalar(byte)))' (expected \(what))"
        case .trailingText: return "unexpected text after the JSON value"
        case .tooDeep(let limit): return "nesting deeper than \(limit) levels"
        case .unclosedString: return "string is never closed"
        case .controlCharacter: return "control character in a string (write it as an escape such as \\n)"
        case .invalidEscape: return "invalid escape sequence in a string"
        case .invalidHexEscape: return "invalid \\u escape in a string (expected four hex digits)"
        case .unpairedSurrogate: return "unpaired surrogate in a \\u escape"
        case .invalidUTF8: return "the text is not valid UTF-8"
        case .numberOutOfRange: return "number out of range"
        }
    }
}
