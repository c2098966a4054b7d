/// What the parser makes of what it reads: the one thing its two modes do differently.
///
/// `JSONValue` (frames) makes numbers values and objects dictionaries, and skips explaining failures;
/// `OrderedJSON` (documents) keeps numbers as text and members as a list, and says what went wrong where.
protocol JSONTree {
    /// How deeply arrays and objects may nest.
    static var maxDepth: Int { get }
    /// Whether the parser should note where and why it failed.
    static var explainsFailures: Bool { get }
    static var parsedNull: Self { get }
    static func parsedBool(_ value: Bool) -> Self
    static func parsedString(_ text: String) -> Self
    static func parsedArray(_ items: [Self]) -> Self
    /// An integer written as one (no fraction, no exponent) that fits in `Int64`, and its text.
    static func parsedInteger(_ value: Int64, _ text: UnsafeBufferPointer<UInt8>) -> Self
    /// Any other number from its text, valid by RFC 8259's grammar; nil when this tree cannot hold it.
    static func parsedNumber(_ text: UnsafeBufferPointer<UInt8>, integral: Bool) -> Self?
    /// An object from its members, in document order, duplicates included.
    static func parsedObject(_ members: [(String, Self)]) -> Self
    /// `value`, just read from `text`, kept so that it writes back as that text.
    static func keepingText(of value: Self, _ text: UnsafeBufferPointer<UInt8>) -> Self
}

// Explicit witnesses rather than the enum cases themselves: with the cases, the frame mode took 70 more instructions
// per typical frame (callgrind).
extension JSONValue: JSONTree {
    static var maxDepth: Int { JSONParser.maxDepth }
    static var explainsFailures: Bool { false }
    static var parsedNull: JSONValue { .null }
    static func parsedBool(_ value: Bool) -> JSONValue { .bool(value) }
    static func parsedString(_ text: String) -> JSONValue { .string(text) }
    static func parsedArray(_ items: [JSONValue]) -> JSONValue { .array(items) }
    static func parsedInteger(_ value: Int64, _ text: UnsafeBufferPointer<UInt8>) -> JSONValue { .int(value) }

    /// Whole numbers written `5.0` or `1e3` read as `.int`, as JSONDecoder's `Int64` attempt read them; anything else
    /// finite is `.double`, and out-of-range values fail.
    static func parsedNumber(_ text: UnsafeBufferPointer<UInt8>, integral: Bool) -> JSONValue? {
        // ASCII only, so this cannot fail; the slow path is for fractions, exponents and overflow.
        let text = String(decoding: text, as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        // An integer literal too large for Int64 stays a double, even where rounding lands on Int64.min.
        if !integral, value == value.rounded(), let whole = Int64(exactly: value) { return .int(whole) }
        return .double(value)
    }

    static func parsedObject(_ members: [(String, JSONValue)]) -> JSONValue {
        // The first of duplicate keys wins, as it did with JSONDecoder.
        .object(Dictionary(members, uniquingKeysWith: { first, _ in first }))
    }

    static func keepingText(of value: JSONValue, _ text: UnsafeBufferPointer<UInt8>) -> JSONValue {
        let text = Array(text)
        var written: [UInt8] = []
        value.write(into: &written)
        return written == text ? value : .fragment(JSONFragment(verbatim: text))
    }
}

extension OrderedJSON: JSONTree {
    static var explainsFailures: Bool { true }
    static var parsedNull: OrderedJSON { .null }
    static func parsedBool(_ value: Bool) -> OrderedJSON { .bool(value) }
    static func parsedString(_ text: String) -> OrderedJSON { .string(text) }
    static func parsedArray(_ items: [OrderedJSON]) -> OrderedJSON { .array(items) }

    static func parsedInteger(_ value: Int64, _ text: UnsafeBufferPointer<UInt8>) -> OrderedJSON {
        .number(String(decoding: text, as: UTF8.self))
    }

    static func parsedNumber(_ text: UnsafeBufferPointer<UInt8>, integral: Bool) -> OrderedJSON? {
        .number(String(decoding: text, as: UTF8.self))
    }

    static func parsedObject(_ members: [(String, OrderedJSON)]) -> OrderedJSON {
        .object(members.map { Member(key: $0.0, value: $0.1) })
    }

    /// Numbers are text already.
    static func keepingText(of value: OrderedJSON, _ text: UnsafeBufferPointer<UInt8>) -> OrderedJSON { value }
}
