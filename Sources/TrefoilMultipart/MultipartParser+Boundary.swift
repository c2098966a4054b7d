extension MultipartParser {
    /// Reads the boundary parameter from a Content-Type header value (quoted or not); nil when absent or invalid (RFC 2046: 1–70 chars).
    ///
    /// When the header names several boundaries, the last one is the body's: curl run with both
    /// `-H 'Content-Type: multipart/form-data; boundary=X'` and `-F` (as the Easemob documents' examples are) keeps
    /// the given header, appends `; boundary=<its own>`, and writes the body with its own.
    public static func boundary(fromContentType contentType: String) -> String? {
        guard let boundary = MultipartHeaderValue(contentType).parameters.last(where: { $0.name == "boundary" })?.value,
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
