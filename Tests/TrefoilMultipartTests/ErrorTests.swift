import Testing

@testable import TrefoilMultipart

@Suite("Errors")
struct ErrorTests {
    @Test("finishing before the closing boundary is an error, wherever the body stopped")
    func missingClosingBoundary() {
        let cut = [
            "", "preamble only", "--\(testBoundary)", "--\(testBoundary)\r\n", "--\(testBoundary)\r\nName: v",
            "--\(testBoundary)\r\n\r\nbody", "--\(testBoundary)\r\n\r\nbody\r\n--\(testBoundary)",
            "--\(testBoundary)\r\n\r\nbody\r\n--\(testBoundary)-",
            "--\(testBoundary)\r\n\r\nbody\r\n--\(testBoundary)\r\n",
        ]
        for body in cut {
            expectRejected(Array(body.utf8), with: .truncated)
        }
    }

    @Test("a header block longer than the limit is rejected, however it is chunked")
    func oversizedHeaders() {
        let long = formBody(parts: [(["X-Big: " + String(repeating: "a", count: 20_000)], [])])
        expectRejected(long, with: .headersTooLong(16 * 1024))
        expectRejected(long, with: .headersTooLong(16 * 1024), chunkSizes: [1000])
        let many = formBody(parts: [((0..<200).map { "X-\($0): value" }, [])])
        expectRejected(many, with: .headersTooLong(1024), chunkSizes: [7], maxHeaderBytes: 1024)
        let padded = Array(("--\(testBoundary)" + String(repeating: " ", count: 2000) + "\r\n").utf8)
        expectRejected(padded, with: .headersTooLong(1024), chunkSizes: [100], maxHeaderBytes: 1024)
    }

    @Test("headers exactly at the limit are accepted")
    func headersAtLimit() throws {
        let line = "X: " + String(repeating: "a", count: 100)
        let limit = line.utf8.count + 4  // the line's CRLF and the empty line
        #expect(try parse(formBody(parts: [([line], [])]), maxHeaderBytes: limit).count == 1)
        expectRejected(formBody(parts: [([line], [])]), with: .headersTooLong(limit - 1), maxHeaderBytes: limit - 1)
    }

    @Test("more parts than the limit is an error, and exactly the limit is fine")
    func tooManyParts() throws {
        let fields = (0..<65).map { (fieldHeaders("f\($0)"), Array("\($0)".utf8)) }
        #expect(try parse(formBody(parts: Array(fields.prefix(64)))).count == 64)
        expectRejected(formBody(parts: fields), with: .tooManyParts(64))
        expectRejected(formBody(parts: Array(fields.prefix(3))), with: .tooManyParts(2), chunkSizes: [5], maxParts: 2)
    }

    @Test("garbage instead of a header line is a malformed header")
    func garbageHeaderLine() {
        let bad = [
            "this is not a header", ": no name", "Bad Name: v", "Name\u{0}: v", "\tfolded first",
            "Name: v\rstray CR",
        ]
        for line in bad {
            expectRejected(formBody(parts: [([line], [])]), with: .malformedHeader)
        }
        expectRejected(
            Array("--\(testBoundary)\r\nName: bare LF\n\r\n\r\n--\(testBoundary)--".utf8), with: .malformedHeader)
        expectRejected(
            Array("--\(testBoundary)\r\n\u{1}\u{2}\u{3}garbage\r\n\r\n--\(testBoundary)--".utf8),
            with: .malformedHeader,
            chunkSizes: [1])
    }

    @Test("anything but padding, CRLF or -- after a boundary is a malformed boundary line")
    func malformedBoundaryLine() {
        for tail in ["x\r\n", " x\r\n", "-x", "\r\r\n", " \n"] {
            expectRejected(Array("--\(testBoundary)\(tail)\r\n--\(testBoundary)--".utf8), with: .malformedBoundaryLine)
        }
        expectRejected(formBody(parts: [([], Array("a\r\n--\(testBoundary)X".utf8))]), with: .malformedBoundaryLine)
    }

    @Test("after an error the parser refuses further input with the same error")
    func staysFailed() throws {
        var parser = MultipartParser(boundary: testBoundary)
        let garbage = Array("--\(testBoundary)\r\nnot a header\r\n".utf8)
        #expect(throws: MultipartError.malformedHeader) { try parser.feed(garbage) { _ in } }
        #expect(throws: MultipartError.malformedHeader) { try parser.feed(Array("\r\n".utf8)) { _ in } }
        #expect(throws: MultipartError.malformedHeader) { try parser.finish() }
    }

    struct Stop: Error {}

    @Test("an error thrown by the handler propagates and stops the parser")
    func handlerErrorStops() throws {
        var parser = MultipartParser(boundary: testBoundary)
        let body = formBody(parts: [(fieldHeaders("a"), Array("1".utf8))])
        #expect(throws: Stop.self) { try parser.feed(body) { _ in throw Stop() } }
        #expect(throws: MultipartError.stoppedEarlier) { try parser.feed(body) { _ in } }
    }

    @Test("mangled bodies throw a MultipartError or parse, and never crash or hang")
    func mangledInputs() {
        let valid = formBody(parts: [
            (fileHeaders("file", filename: "a.bin"), trickyBytes(count: 300, seed: 5)),
            (fieldHeaders("group_id"), Array("1".utf8)),
        ])
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<2000 {
            var body = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<body.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: body[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: body.remove(at: index)
                default: body.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                }
            }
            let size = Int.random(in: 1...64, using: &generator)
            do {
                _ = try parse(body, chunkSizes: [size])
            } catch {
                #expect(error is MultipartError)
            }
        }
    }
}
