import Foundation

/// Writes compact JSON straight from typed values into bytes, in the exact form `JSONValue.encoded()`
/// gives: members in the order the caller writes them (callers write keys sorted), no spaces.
///
/// A listing page built as `JSONValue` objects cost a dictionary per file, hashing of every key and
/// a sort of the keys again on the way out; on a page of 50 files that was about a third of the
/// server's CPU per request (perf, docs/performance.md fix 8). Large payloads of one fixed shape
/// are written with this instead and travel as a `JSONFragment`.
///
/// Inlinable because its callers sit in other modules and call it per member (a page of 50 files is 800 calls):
/// 550,300 instructions per page without, 546,100 with (callgrind, tools/json-measure).
public struct JSONWriter {
    @usableFromInline var output: [UInt8] = []
    /// Whether the innermost open object or array still needs no comma before its next element.
    @usableFromInline var first = true

    /// What has been written so far.
    public var bytes: [UInt8] { output }

    @inlinable
    public init(capacity: Int = 512) { output.reserveCapacity(capacity) }

    /// A writer that goes on with an object whose brace and first member were written elsewhere: what it writes
    /// first starts with a comma, and `endObject()` closes that object.
    @inlinable
    public init(afterFirstMemberWithCapacity capacity: Int) {
        output.reserveCapacity(capacity)
        first = false
    }

    @inlinable public mutating func beginObject() { open(UInt8(ascii: "{")) }
    @inlinable public mutating func endObject() { close(UInt8(ascii: "}")) }
    @inlinable public mutating func beginArray() { open(UInt8(ascii: "[")) }
    @inlinable public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Starts a member; `key` must be plain ASCII that needs no escaping (a field name).
    @inlinable
    public mutating func key(_ key: StaticString) {
        separate()
        output.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { output.append(contentsOf: $0) }
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
        first = true
    }

    @inlinable
    public mutating func member(_ name: StaticString, _ value: Int64) {
        key(name)
        integer(value)
    }

    @inlinable
    public mutating func member(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    @inlinable
    public mutating func member(_ name: StaticString, _ value: JSONValue) {
        key(name)
        separate()
        value.write(into: &output)
    }

    @inlinable
    public mutating func integer(_ value: Int64) {
        separate()
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            repeat {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            output.append(contentsOf: digits[(20 - count)...])
        }
    }

    @inlinable
    public mutating func string(_ value: String) {
        separate()
        JSONValue.writeString(value, into: &output)
    }

    @inlinable
    mutating func open(_ byte: UInt8) {
        separate()
        output.append(byte)
        first = true
    }

    @inlinable
    mutating func close(_ byte: UInt8) {
        output.append(byte)
        first = false
    }

    /// A comma before every element but the first of its container; after a key, nothing.
    @inlinable
    mutating func separate() {
        if first {
            first = false
        } else {
            output.append(UInt8(ascii: ","))
        }
    }
}

/// JSON text already written by a `JSONWriter`, a member's value as it came, or the base64 string of bytes, spliced
/// verbatim when the enclosing value is encoded. Two fragments are equal when their bytes are.
public struct JSONFragment: Sendable, Equatable {
    enum Text: Sendable {
        case written([UInt8])
        /// The base64 of these bytes, encoded only when the fragment is written (into its sink, without a copy).
        case base64(Data)
    }

    let text: Text

    public init(_ writer: JSONWriter) { text = .written(writer.bytes) }

    /// JSON text as it came, to be sent back unchanged (a request's `echo`); the caller has parsed it.
    init(verbatim bytes: [UInt8]) { text = .written(bytes) }

    /// The JSON string of `data` in base64 (standard alphabet, padded). Nothing is encoded yet: the text is written
    /// where the enclosing value goes (`write(to:)`), straight from `data`; a file's range sent as base64 is megabytes
    /// that need no escape and no buffer of their own.
    public init(base64Of data: Data) { text = .base64(data) }

    /// The JSON text (for a base64 fragment, encoded now).
    public var bytes: [UInt8] {
        switch text {
        case .written(let bytes): return bytes
        case .base64:
            var out: [UInt8] = []
            write(to: &out)
            return out
        }
    }

    /// How many bytes the JSON text has, without encoding it.
    public var count: Int {
        switch text {
        case .written(let bytes): bytes.count
        case .base64(let data): Base64Codec.encodedLength(data.count) + 2
        }
    }

    /// Writes the JSON text to `sink`.
    public func write(to sink: inout some JSONSink) {
        switch text {
        case .written(let bytes): sink.append(contentsOf: bytes)
        case .base64(let data):
            sink.append(UInt8(ascii: "\""))
            sink.append(room: Base64Codec.encodedLength(data.count)) { room in
                data.withUnsafeBytes { Base64Codec.encode($0, into: room) }
            }
            sink.append(UInt8(ascii: "\""))
        }
    }

    public static func == (lhs: JSONFragment, rhs: JSONFragment) -> Bool {
        if case .base64(let left) = lhs.text, case .base64(let right) = rhs.text { return left == right }
        return lhs.bytes == rhs.bytes
    }

    /// The same JSON as a `JSONValue` tree, for code (and tests) that inspect it; parsing costs
    /// what the fragment saved.
    public var value: JSONValue { JSONParser.parse(bytes) ?? .null }
}
