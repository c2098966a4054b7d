#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension MultipartParser {
    /// Collects header lines up to the empty line, then announces the part; returns where it stopped.
    mutating func readHeaders(
        _ chunk: UnsafeRawBufferPointer, from offset: Int, _ handler: (MultipartEvent) throws -> Void
    ) throws -> Int {
        let base = chunk.baseAddress!
        var start = offset
        while start < chunk.count {
            let newline = memchr(base + start, Int32(MultipartASCII.lf), chunk.count - start)
            let stop = newline.map { base.distance(to: UnsafeRawPointer($0)) + 1 } ?? chunk.count
            headerBytes += stop - start
            guard headerBytes <= maxHeaderBytes else { throw MultipartError.headersTooLong(maxHeaderBytes) }
            headerLine.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<stop]))
            start = stop
            guard newline != nil else { break }
            if headerLine.count == 2, headerLine[0] == MultipartASCII.cr {
                state = .body
                try handler(.partBegin(MultipartPartHeaders(fields: headerFields)))
                return start
            }
            try addHeaderLine()
            headerLine.removeAll(keepingCapacity: true)
        }
        return start
    }

    /// Parses `headerLine` (ending in LF) as `Name: value`, or as a folded continuation of the previous field.
    private mutating func addHeaderLine() throws {
        let line = headerLine
        guard line.count >= 2, line[line.count - 2] == MultipartASCII.cr else { throw MultipartError.malformedHeader }
        let content = line[0..<line.count - 2]
        guard !content.contains(MultipartASCII.cr), !content.contains(0) else { throw MultipartError.malformedHeader }

        if let first = content.first, first == MultipartASCII.space || first == MultipartASCII.tab {
            // obs-fold (RFC 5322): old mailers wrap long values; joining keeps the value whole.
            guard !headerFields.isEmpty else { throw MultipartError.malformedHeader }
            let continuation = Self.decodeHeaderText(Self.trimmingBlanks(content))
            headerFields[headerFields.count - 1].value += " " + continuation
            return
        }
        guard let colon = content.firstIndex(of: MultipartASCII.colon), colon > content.startIndex,
            content[..<colon].allSatisfy(Self.isTokenByte)
        else { throw MultipartError.malformedHeader }
        headerFields.append(
            MultipartHeaderField(
                name: Self.decodeHeaderText(content[..<colon]),
                value: Self.decodeHeaderText(Self.trimmingBlanks(content[(colon + 1)...]))))
    }

    private static func trimmingBlanks(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isBlank = { (byte: UInt8) in byte == MultipartASCII.space || byte == MultipartASCII.tab }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) })
        else { return [] }
        return bytes[first...last]
    }

    /// UTF-8 when valid (what browsers send); otherwise Latin-1, so every byte still survives as one character.
    private static func decodeHeaderText(_ bytes: ArraySlice<UInt8>) -> String {
        String(validating: bytes, as: UTF8.self)
            ?? String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// RFC 7230 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
