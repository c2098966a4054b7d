import Testing

@testable import TrefoilMultipart

@Suite("Part headers")
struct HeaderTests {
    func headers(_ lines: [String], boundary: String = testBoundary) throws -> MultipartPartHeaders {
        let parts = try parse(formBody(boundary: boundary, parts: [(lines, [])]), boundary: boundary)
        #expect(parts.count == 1)
        return try #require(parts.first).headers
    }

    @Test("name, filename, content type and every raw header line are reported")
    func basicFields() throws {
        let parsed = try headers([
            "Content-Disposition: form-data; name=\"file\"; filename=\"a.bin\"",
            "Content-Type: image/png",
            "X-Extra:   spaced value \t",
        ])
        #expect(parsed.name == "file")
        #expect(parsed.filename == "a.bin")
        #expect(parsed.contentType == "image/png")
        #expect(
            parsed.fields == [
                MultipartHeaderField(
                    name: "Content-Disposition", value: "form-data; name=\"file\"; filename=\"a.bin\""),
                MultipartHeaderField(name: "Content-Type", value: "image/png"),
                MultipartHeaderField(name: "X-Extra", value: "spaced value"),
            ])
        #expect(parsed.value(of: "x-extra") == "spaced value")
    }

    @Test("header and parameter names match case-insensitively")
    func caseInsensitiveNames() throws {
        let parsed = try headers([
            "content-DISPOSITION: Form-Data; NAME=\"a\"; FileName=b.txt", "CONTENT-TYPE: text/plain",
        ])
        #expect(parsed.name == "a")
        #expect(parsed.filename == "b.txt")
        #expect(parsed.contentType == "text/plain")
    }

    @Test("filename* in RFC 5987 form is percent-decoded as UTF-8 and preferred over filename")
    func extendedFilename() throws {
        let parsed = try headers([
            "Content-Disposition: form-data; name=\"file\"; filename=\"fallback.txt\"; filename*=UTF-8''%E4%B8%AD%E6%96%87.txt"
        ])
        #expect(parsed.filename == "中文.txt")
        #expect(try headers(["Content-Disposition: form-data; filename*=utf-8'en'a%20b.txt"]).filename == "a b.txt")
    }

    @Test("an undecodable filename* falls back to filename")
    func badExtendedFilename() throws {
        let bad = [
            "UTF-8''%E4%B8", "UTF-8''%zz", "KOI8-R''abc", "no-apostrophes",
        ]
        for value in bad {
            let parsed = try headers(["Content-Disposition: form-data; filename=\"plain.txt\"; filename*=\(value)"])
            #expect(parsed.filename == "plain.txt", "\(value)")
        }
    }

    @Test("a quoted filename keeps spaces, semicolons and escaped quotes")
    func quotedFilename() throws {
        #expect(
            try headers(["Content-Disposition: form-data; name=\"f\"; filename=\"my file (1).txt\""]).filename
                == "my file (1).txt")
        #expect(try headers(["Content-Disposition: form-data; filename=\"a;b=c.txt\"; name=x"]).filename == "a;b=c.txt")
        #expect(
            try headers(["Content-Disposition: form-data; filename=\"say \\\"hi\\\".txt\""]).filename
                == "say \"hi\".txt")
    }

    @Test("a raw UTF-8 filename, as browsers send it, decodes as UTF-8")
    func rawUTF8Filename() throws {
        #expect(
            try headers(["Content-Disposition: form-data; name=\"f\"; filename=\"报告 2024.pdf\""]).filename
                == "报告 2024.pdf")
    }

    @Test("header bytes that are not UTF-8 decode as Latin-1 instead of failing")
    func latin1Fallback() throws {
        let body =
            Array("--\(testBoundary)\r\nContent-Disposition: form-data; filename=\"caf".utf8) + [0xE9]
            + Array(".txt\"\r\n\r\n\r\n--\(testBoundary)--".utf8)
        #expect(try parse(body).first?.headers.filename == "café.txt")
    }

    @Test("a field without filename has a nil filename")
    func missingFilename() throws {
        let parsed = try headers(fieldHeaders("group_id"))
        #expect(parsed.name == "group_id")
        #expect(parsed.filename == nil)
        #expect(parsed.contentType == nil)
    }

    @Test("a folded header line continues the previous value")
    func foldedHeader() throws {
        let parsed = try headers(["Content-Disposition: form-data;", "\tname=\"folded\""])
        #expect(parsed.name == "folded")
    }

    @Test("a boundary that needed quoting in Content-Type works end to end")
    func quotedBoundaryEndToEnd() throws {
        let boundary = try #require(
            MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=\"a b:c?d\""))
        #expect(boundary == "a b:c?d")
        let parsed = try headers(fieldHeaders("q"), boundary: boundary)
        #expect(parsed.name == "q")
    }
}
