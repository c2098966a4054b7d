import HTTPTypes

/// A request head in HTTP/1.1's plainest form, read straight from the bytes a client sent: `METHOD target HTTP/1.1`,
/// `name: value` lines, the empty line, every line ended by CRLF, and no body (neither `Content-Length` nor
/// `Transfer-Encoding`).
///
/// `DownloadFastPath` answers a download from memory with this in front of NIO's HTTP/1 decoder; everything the
/// decoder alone must judge (a body, a line folded or ended by a bare LF, a byte outside visible ASCII, a head split
/// across reads) is not plain, and goes to the decoder as it came.
struct PlainRequestHead: Equatable {
    struct Field: Equatable {
        let name: String
        let value: String
    }

    let method: String
    let target: String
    let fields: [Field]

    /// The longest head read here, and the most fields: anything bigger is for the decoder and its own limits.
    static let maxBytes = 8_192
    static let maxFields = 32

    /// The heads that make up `bytes` exactly, in order; nil when the bytes are anything else: a head not plain, or not
    /// whole, or bytes after the last head that are not one.
    static func heads(in bytes: UnsafeRawBufferPointer) -> [PlainRequestHead]? {
        var reader = Reader(bytes: bytes)
        var heads: [PlainRequestHead] = []
        while !reader.atEnd {
            guard let head = reader.head() else { return nil }
            heads.append(head)
        }
        return heads.isEmpty ? nil : heads
    }

    /// The fields as `HTTPFields`, for a download route.
    var httpFields: HTTPFields {
        var result = HTTPFields()
        for field in fields {
            // Every name read here is a token, which is all `HTTPField.Name` asks.
            if let name = HTTPField.Name(field.name) { result.append(HTTPField(name: name, value: field.value)) }
        }
        return result
    }
}

/// Reads plain heads off bytes, failing (nil) at the first byte that is not where a plain head would have it.
private struct Reader {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let version = Array("HTTP/1.1".utf8)

    /// RFC 9110's `tchar`: the bytes of a method or a field name.
    private static let tokenBytes: [Bool] = (0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default: "!#$%&'*+-.^_`|~".utf8.contains(UInt8(byte))
        }
    }

    mutating func head() -> PlainRequestHead? {
        let start = index
        guard let method = run(while: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }, atMost: 16),
            take(Self.space),
            bytes.count > index, bytes[index] == UInt8(ascii: "/"),
            let target = run(while: { $0 > 0x20 && $0 < 0x7F }, atMost: PlainRequestHead.maxBytes),
            take(Self.space), take(Self.version), take(Self.cr), take(Self.lf)
        else { return nil }
        var fields: [PlainRequestHead.Field] = []
        while true {
            guard index - start <= PlainRequestHead.maxBytes else { return nil }
            if take(Self.cr) {
                guard take(Self.lf) else { return nil }
                break
            }
            guard fields.count < PlainRequestHead.maxFields, let field = field() else { return nil }
            fields.append(field)
        }
        guard index - start <= PlainRequestHead.maxBytes else { return nil }
        return PlainRequestHead(method: text(method), target: text(target), fields: fields)
    }

    /// `name: value CRLF`, the value without the spaces around it; nil for a field that frames a body.
    private mutating func field() -> PlainRequestHead.Field? {
        guard let name = run(while: { Self.tokenBytes[Int($0)] }, atMost: 256), take(UInt8(ascii: ":")) else {
            return nil
        }
        _ = run(while: { $0 == Self.space || $0 == Self.tab }, atMost: PlainRequestHead.maxBytes)
        let valueStart = index
        _ = run(while: { ($0 >= 0x20 && $0 < 0x7F) || $0 == Self.tab }, atMost: PlainRequestHead.maxBytes)
        var valueEnd = index
        while valueEnd > valueStart, bytes[valueEnd - 1] == Self.space || bytes[valueEnd - 1] == Self.tab {
            valueEnd -= 1
        }
        guard take(Self.cr), take(Self.lf) else { return nil }
        let fieldName = text(name)
        switch fieldName.lowercased() {
        case "content-length", "transfer-encoding": return nil
        default: break
        }
        return PlainRequestHead.Field(name: fieldName, value: text(valueStart..<valueEnd))
    }

    /// The bytes from here on that `accepts`, at least one and at most `limit`; nil (nothing taken) when none does or
    /// more would.
    private mutating func run(while accepts: (UInt8) -> Bool, atMost limit: Int) -> Range<Int>? {
        let start = index
        while index < bytes.count, accepts(bytes[index]) {
            index += 1
            if index - start > limit {
                index = start
                return nil
            }
        }
        guard index > start else { return nil }
        return start..<index
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func take(_ expected: [UInt8]) -> Bool {
        guard bytes.count - index >= expected.count else { return false }
        for (offset, byte) in expected.enumerated() where bytes[index + offset] != byte { return false }
        index += expected.count
        return true
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}
