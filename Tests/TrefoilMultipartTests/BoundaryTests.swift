import Testing

@testable import TrefoilMultipart

@Suite("Boundary from Content-Type")
struct BoundaryTests {
    @Test(
        "valid boundaries are read, quoted or not",
        arguments: [
            ("multipart/form-data; boundary=abc123", "abc123"),
            (
                "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
                "----WebKitFormBoundary7MA4YWxkTrZu0gW"
            ),
            ("multipart/form-data; boundary=\"quoted boundary\"", "quoted boundary"),
            ("multipart/form-data;boundary=\"x\";charset=utf-8", "x"),
            ("Multipart/Form-Data; charset=utf-8; BOUNDARY=upper", "upper"),
            ("multipart/form-data ;  boundary = spaced ", "spaced"),
            ("multipart/mixed; boundary=\"'()+_,-./:=?\"", "'()+_,-./:=?"),
            ("multipart/form-data; boundary=" + String(repeating: "b", count: 70), String(repeating: "b", count: 70)),
        ])
    func valid(contentType: String, boundary: String) {
        #expect(MultipartParser.boundary(fromContentType: contentType) == boundary)
    }

    @Test(
        "absent or invalid boundaries give nil",
        arguments: [
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=\"\"",
            "multipart/form-data; boundary",
            "multipart/form-data; boundary=" + String(repeating: "b", count: 71),
            "multipart/form-data; boundary=\"ends with space \"",
            "multipart/form-data; boundary=bad@char",
            "multipart/form-data; boundary=\"new\r\nline\"",
            "multipart/form-data; boundary=\"中文\"",
            "",
        ])
    func invalid(contentType: String) {
        #expect(MultipartParser.boundary(fromContentType: contentType) == nil)
    }

    @Test("of two boundaries the last is the body's (curl with a Content-Type header and -F appends its own)")
    func lastBoundaryWins() {
        let header =
            "multipart/form-data; boundary=---WebKitFormBoundary7MA4YWxkTrZu0gW; boundary=------------------------314eb3869c493b65"
        #expect(MultipartParser.boundary(fromContentType: header) == "------------------------314eb3869c493b65")
    }
}
