import Testing

@testable import TrefoilMultipart

@Suite("Framing")
struct FramingTests {
    @Test("an empty file part yields a part with no body bytes")
    func emptyFilePart() throws {
        let parts = try parse(formBody(parts: [(fileHeaders("file", filename: "empty.txt"), [])]))
        #expect(
            parts == [
                ParsedPart(
                    headers: MultipartPartHeaders(fields: Self.fields(fileHeaders("file", filename: "empty.txt"))),
                    body: [])
            ])
    }

    @Test("a preamble before the first boundary and an epilogue after the closing one are ignored")
    func preambleAndEpilogue() throws {
        let body = formBody(
            parts: [(fieldHeaders("a"), Array("1".utf8))], preamble: "This is a preamble.\r\nIgnore --me.",
            epilogue: "\r\nThis is the epilogue, with --\(testBoundary) in it.\r\n")
        for size in [1, 7, Int.max] {
            let parts = try parse(body, chunkSizes: [size])
            #expect(parts.map(\.body) == [Array("1".utf8)])
            #expect(parts.map(\.headers.name) == ["a"])
        }
    }

    @Test("spaces and tabs after a boundary before its CRLF are transport padding")
    func transportPadding() throws {
        let body = Array(
            "--\(testBoundary) \t \r\n\r\nx\r\n--\(testBoundary)\t\r\n\r\ny\r\n--\(testBoundary)--  \r\n".utf8)
        for size in [1, 3, Int.max] {
            #expect(try parse(body, chunkSizes: [size]).map(\.body) == [[UInt8(ascii: "x")], [UInt8(ascii: "y")]])
        }
    }

    @Test("the first boundary may follow a CRLF as well as open the body")
    func leadingCRLF() throws {
        let body = Array("\r\n--\(testBoundary)\r\n\r\nx\r\n--\(testBoundary)--".utf8)
        #expect(try parse(body).map(\.body) == [[UInt8(ascii: "x")]])
    }

    @Test("a body with only the closing boundary has no parts")
    func noParts() throws {
        #expect(try parse(Array("--\(testBoundary)--\r\n".utf8)) == [])
    }

    @Test("a part without headers has no name and no fields")
    func partWithoutHeaders() throws {
        let parts = try parse(formBody(parts: [([], Array("raw".utf8))]))
        #expect(parts == [ParsedPart(headers: MultipartPartHeaders(fields: []), body: Array("raw".utf8))])
    }

    @Test("body text holding the boundary without a CRLF before it stays body")
    func boundaryWithoutCRLFIsBody() throws {
        let text = Array("--\(testBoundary)\r\nmiddle --\(testBoundary)-- and\n--\(testBoundary)x".utf8)
        let body = Array("--\(testBoundary)\r\n\r\n".utf8) + text + Array("\r\n--\(testBoundary)--".utf8)
        for size in 1...8 {
            #expect(try parse(body, chunkSizes: [size]).map(\.body) == [text])
        }
    }

    @Test("body ending in CR or CRLF keeps those bytes, since only the delimiter's own CRLF is removed")
    func trailingLineBreaksInBody() throws {
        let content = Array("ends with\r\n\r\r\n".utf8)
        for size in 1...6 {
            #expect(try parse(formBody(parts: [([], content)]), chunkSizes: [size]).map(\.body) == [content])
        }
    }

    @Test("garbage after the closing boundary is ignored, even across later chunks")
    func inputAfterEpilogueIgnored() throws {
        let body = Array("--\(testBoundary)--".utf8) + [0, 0xFF, 0x0D] + Array("--\(testBoundary)\r\n".utf8)
        #expect(try parse(body, chunkSizes: [2]) == [])
    }

    static func fields(_ lines: [String]) -> [MultipartHeaderField] {
        lines.map { line in
            let colon = line.firstIndex(of: ":")!
            return MultipartHeaderField(
                name: String(line[..<colon]), value: String(line[line.index(after: colon)...].drop { $0 == " " }))
        }
    }
}
