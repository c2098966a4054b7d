import Testing

@testable import TrefoilServer

@Suite("Suggested file names")
struct SuggestedFileNameTests {
    @Test(
        "Content-Disposition gives the name, filename* first",
        arguments: [
            ("attachment; filename*=UTF-8''%E4%B8%AD.txt", "中.txt"),
            ("attachment; filename=\"a b.txt\"", "a b.txt"),
            ("attachment; filename=plain.bin", "plain.bin"),
            ("attachment; filename=\"fallback.txt\"; filename*=utf-8''%E2%82%AC%20rates.txt", "€ rates.txt"),
            ("attachment; filename*=iso-8859-1'en'%A3%20rates.txt", "£ rates.txt"),
            ("inline; filename=\"semi;colon \\\"quoted\\\".txt\"", "semi;colon \"quoted\".txt"),
            ("attachment; FILENAME=\"upper.txt\"", "upper.txt"),
        ])
    func fromContentDisposition(header: String, expected: String) {
        #expect(SuggestedFileName.from(contentDisposition: header, percentEncodedPath: "/x/y") == expected)
    }

    @Test("Names cannot climb out of a directory or carry control characters")
    func sanitises() {
        #expect(SuggestedFileName.fromContentDisposition("attachment; filename=\"../../etc/passwd\"") == "passwd")
        #expect(SuggestedFileName.fromContentDisposition("attachment; filename=\"..\\\\evil.exe\"") == "evil.exe")
        #expect(SuggestedFileName.fromContentDisposition("attachment; filename=\"..\"") == nil)
        #expect(SuggestedFileName.fromPath("/a/..%2F..%2Fsecret") == "secret")
        #expect(SuggestedFileName.fromPath("/a/b%0Ac.txt") == "bc.txt")
    }

    @Test("Without Content-Disposition the last path segment is used, decoded")
    func fromPath() {
        #expect(
            SuggestedFileName.from(contentDisposition: nil, percentEncodedPath: "/dir/report%20v2.pdf")
                == "report v2.pdf")
        #expect(SuggestedFileName.from(contentDisposition: "attachment", percentEncodedPath: "/f.zip") == "f.zip")
        #expect(SuggestedFileName.from(contentDisposition: nil, percentEncodedPath: "/dir/") == nil)
        #expect(SuggestedFileName.from(contentDisposition: nil, percentEncodedPath: "") == nil)
        #expect(
            SuggestedFileName.from(contentDisposition: "attachment; filename*=bogus", percentEncodedPath: "/x") == "x")
    }
}
