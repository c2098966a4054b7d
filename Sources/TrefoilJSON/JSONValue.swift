import Foundation

/// Any JSON value: what faces read from requests and write in answers and events.
///
/// `JSONParser.parse` makes it from a frame; `encoded()` and `JSONWriter` write it. A document whose problems must be
/// reported by line and in order (the config file) is read as an `OrderedJSON` instead.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
    /// JSON written ahead by a `JSONWriter` (large payloads of a fixed shape), or a member the parser was asked to
    /// keep as its original text (a request's `echo`) because a number in it would not write back the same; parsing
    /// produces it for nothing else. It reads, through the accessors below, as the value it encodes.
    case fragment(JSONFragment)

    /// The value under `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        switch self {
        case .object(let members): members[key]
        case .fragment(let fragment): fragment.value[key]
        default: .none
        }
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? container.decode(Int64.self) {
            self = .int(int)
        } else if let double = try? container.decode(Double.self) {
            self = .double(double)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .fragment(let fragment): try container.encode(fragment.value)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// The JSON text in `bytes` (RFC 8259, nesting up to 512 deep), or nil when it is not JSON.
    public static func parse(_ bytes: [UInt8]) -> JSONValue? { JSONParser.parse(bytes) }

    /// Compact JSON text with sorted keys, so equal values always encode to equal bytes.
    ///
    /// Written by hand: `JSONEncoder` over this enum cost about 50 µs per file object of a listing.
    public func encoded() -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(into: &out)
        return Data(out)
    }

    @usableFromInline
    func write(into out: inout [UInt8]) { write(to: &out) }

    /// Writes the compact JSON text with sorted keys (`encoded()`'s) to `out`: a transport's buffer, so that a
    /// base64 fragment is encoded straight into the frame.
    public func write(to out: inout some JSONSink) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .double(let value):
            // As JSONEncoder writes it: the shortest round-trip form, without a trailing ".0".
            var text = value.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            out.append(contentsOf: text.utf8)
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .fragment(let fragment): fragment.write(to: &out)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    @usableFromInline
    static func writeString(_ text: String, into out: inout [UInt8]) { writeString(text, to: &out) }

    static func writeString(_ text: String, to out: inout some JSONSink) {
        out.append(UInt8(ascii: "\""))
        var text = text
        // Most strings need no escape at all: copy them whole.
        let copied = text.withUTF8 { bytes -> Bool in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
            else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
