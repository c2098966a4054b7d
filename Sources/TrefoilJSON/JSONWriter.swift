/// Writes compact JSON straight from typed values into bytes, in the exact form `JSONValue.encoded()`
/// gives: members in the order the caller writes them (callers write keys sorted), no spaces.
///
/// A listing page built as `JSONValue` objects cost a dictionary per file, hashing of every key and
/// a sort of the keys again on the way out; on a page of 50 files that was about a third of the
/// server's CPU per request (perf, docs/performance.md fix 8). Large payloads of one fixed shape
/// are written with this instead and travel as a `JSONFragment`.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Whether the innermost open object or array still needs no comma before its next element.
    private var first = true

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Starts a member; `key` must be plain ASCII that needs no escaping (a field name).
    mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        first = true
    }

    mutating func member(_ name: StaticString, _ value: Int64) {
        key(name)
        integer(value)
    }

    mutating func member(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    mutating func member(_ name: StaticString, _ value: JSONValue) {
        key(name)
        separate()
        value.write(into: &bytes)
    }

    mutating func integer(_ value: Int64) {
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            repeat {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: digits[(20 - count)...])
        }
    }

    mutating func string(_ value: String) {
        separate()
        JSONValue.writeString(value, into: &bytes)
    }

    private mutating func open(_ byte: UInt8) {
        separate()
        bytes.append(byte)
        first = true
    }

    private mutating func close(_ byte: UInt8) {
        bytes.append(byte)
        first = false
    }

    /// A comma before every element but the first of its container; after a key, nothing.
    private mutating func separate() {
        if first {
            first = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
    }
}

/// JSON text already written by a `JSONWriter`, or a request's `echo` as it came, spliced verbatim
/// when the enclosing value is encoded. Two fragments are equal when their bytes are.
public struct JSONFragment: Sendable, Equatable {
    public let bytes: [UInt8]

    init(_ writer: JSONWriter) { bytes = writer.bytes }

    /// JSON text as it came, to be sent back unchanged (a request's `echo`); the caller has parsed it.
    init(verbatim bytes: [UInt8]) { self.bytes = bytes }

    /// The same JSON as a `JSONValue` tree, for code (and tests) that inspect it; parsing costs
    /// what the fragment saved.
    public var value: JSONValue { JSONParser.parse(bytes) ?? .null }
}
