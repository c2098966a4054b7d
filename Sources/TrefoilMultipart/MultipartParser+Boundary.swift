extension MultipartParser {
    /// Reads the boundary parameter from a Content-Type header value (quoted or not); nil when absent or invalid (RFC 2046: 1–70 chars).
    public static func boundary(fromContentType contentType: String) -> String? {
        guard let boundary = MultipartHeaderValue(contentType).parameter("boundary"),
            (1...70).contains(boundary.utf8.count), boundary.utf8.last != MultipartASCII.space,
            boundary.utf8.allSatisfy(isBoundaryByte)
        else { return nil }
        return boundary
    }

    /// RFC 2046 `bchars`.
    private static func isBoundaryByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "'()+_,-./:=? ".utf8.contains(byte)
        }
    }
}
