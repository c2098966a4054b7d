import ExtrasBase64
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

/// JSON text already written by a `JSONWriter`, or a member's value as it came, spliced verbatim
/// when the enclosing value is encoded. Two fragments are equal when their bytes are.
public struct JSONFragment: Sendable, Equatable {
    public let bytes: [UInt8]

    public init(_ writer: JSONWriter) { bytes = writer.bytes }

    /// JSON text as it came, to be sent back unchanged (a request's `echo`); the caller has parsed it.
    init(verbatim bytes: [UInt8]) { self.bytes = bytes }

    /// The JSON string of `data` in base64 (standard alphabet, padded), written straight from the bytes: a file's
    /// range sent as base64 is megabytes that need no escape, so it skips a `String` and the writer's escape scan.
    /// The base64 is encoded into the fragment's own bytes, between its quotes (no `Data` of it first, no copy).
    public init(base64Of data: Data) {
        let length = Base64.encodedLength(bytesCount: data.count)
        bytes = data.withUnsafeBytes { raw in
            [UInt8](unsafeUninitializedCapacity: length + 2) { buffer, count in
                buffer[0] = UInt8(ascii: "\"")
                var output = UnsafeMutableBufferPointer(rebasing: buffer[1..<(length + 1)]).mutableSpan
                let written = Base64.encode(bytes: raw.assumingMemoryBound(to: UInt8.self).span, into: &output)
                buffer[written + 1] = UInt8(ascii: "\"")
                count = written + 2
            }
        }
    }

    /// The same JSON as a `JSONValue` tree, for code (and tests) that inspect it; parsing costs
    /// what the fragment saved.
    public var value: JSONValue { JSONParser.parse(bytes) ?? .null }
}
