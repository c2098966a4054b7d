/// A header value split into its leading token and `; name=value` parameters (RFC 2045/7231 syntax).
struct MultipartHeaderValue {
    /// The part before the first `;`, trimmed.
    var token: String
    /// Parameters in order; names lowercased, quoted values unquoted.
    var parameters: [(name: String, value: String)] = []

    /// Splits `value` leniently: a parameter without `=` is skipped rather than failing the whole header.
    init(_ value: String) {
        let bytes = Array(value.utf8)
        var index = 0
        token = Self.text(bytes, Self.scan(bytes, &index, until: [MultipartASCII.semicolon])).trimmed
        while index < bytes.count {
            index += 1  // past ';'
            let name = Self.text(
                bytes, Self.scan(bytes, &index, until: [MultipartASCII.semicolon, MultipartASCII.equals])
            ).trimmed.lowercased()
            guard index < bytes.count, bytes[index] == MultipartASCII.equals else { continue }
            index += 1
            Self.skipWhitespace(bytes, &index)
            let parameterValue: String
            if index < bytes.count, bytes[index] == MultipartASCII.quote {
                parameterValue = Self.quotedString(bytes, &index)
                _ = Self.scan(bytes, &index, until: [MultipartASCII.semicolon])  // ignore junk after the closing quote
            } else {
                parameterValue = Self.text(bytes, Self.scan(bytes, &index, until: [MultipartASCII.semicolon])).trimmed
            }
            if !name.isEmpty { parameters.append((name, parameterValue)) }
        }
    }

    /// The first value of a parameter by lowercased name.
    func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// Decodes an RFC 5987 `charset'language'percent-encoded` value; nil for unknown charsets or bad escapes.
    static func decodeExtendedValue(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3 else { return nil }
        var bytes: [UInt8] = []
        var utf8 = pieces[2].utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.next().flatMap(hexValue), let low = utf8.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        switch pieces[0].lowercased() {
        case "utf-8": return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1": return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default: return nil
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func scan(_ bytes: [UInt8], _ index: inout Int, until stops: [UInt8]) -> Range<Int> {
        let start = index
        while index < bytes.count, !stops.contains(bytes[index]) { index += 1 }
        return start..<index
    }

    private static func skipWhitespace(_ bytes: [UInt8], _ index: inout Int) {
        while index < bytes.count, bytes[index] == MultipartASCII.space || bytes[index] == MultipartASCII.tab {
            index += 1
        }
    }

    /// Reads a quoted string starting at the opening quote; an unterminated one runs to the end.
    private static func quotedString(_ bytes: [UInt8], _ index: inout Int) -> String {
        var result: [UInt8] = []
        index += 1
        while index < bytes.count, bytes[index] != MultipartASCII.quote {
            // curl escapes `"` and `\` with a backslash; browsers percent-encode `"` and send `\` bare (a Windows
            // path), so only those two escapes are undone and any other backslash is kept.
            if bytes[index] == MultipartASCII.backslash, index + 1 < bytes.count,
                bytes[index + 1] == MultipartASCII.quote || bytes[index + 1] == MultipartASCII.backslash
            {
                index += 1
            }
            result.append(bytes[index])
            index += 1
        }
        if index < bytes.count { index += 1 }
        return String(decoding: result, as: UTF8.self)
    }

    private static func text(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}

extension String {
    fileprivate var trimmed: String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
