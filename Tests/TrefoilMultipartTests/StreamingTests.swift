import Testing

@testable import TrefoilMultipart

@Suite("Streaming")
struct StreamingTests {
    static let file = trickyBytes(count: 3000, seed: 7)
    static let form = formBody(parts: [
        (fieldHeaders("group_id"), Array("1".utf8)),
        (fieldHeaders("note"), Array("line one\r\nline two --\(testBoundary) not a boundary".utf8)),
        (fileHeaders("file", filename: "big.bin"), file),
        (fieldHeaders("empty"), []),
    ])

    static func expectForm(_ parts: [ParsedPart]) {
        #expect(parts.map(\.headers.name) == ["group_id", "note", "file", "empty"])
        #expect(parts.map(\.headers.filename) == [nil, nil, "big.bin", nil])
        #expect(parts[0].body == Array("1".utf8))
        #expect(parts[1].body == Array("line one\r\nline two --\(testBoundary) not a boundary".utf8))
        #expect(parts[2].body == file)
        #expect(parts[2].headers.contentType == "application/octet-stream")
        #expect(parts[3].body == [])
    }

    @Test("a form with text fields and a binary file parses to the exact bytes for every chunk size from 1 to 64")
    func everySmallChunkSize() throws {
        for size in 1...64 {
            Self.expectForm(try parse(Self.form, chunkSizes: [size]))
        }
    }

    @Test("the same form parses identically when fed in one piece")
    func onePiece() throws {
        Self.expectForm(try parse(Self.form))
    }

    @Test("a 1 MiB file full of partial delimiters survives seeded random chunkings byte for byte")
    func randomChunkingsOfLargeFile() throws {
        let file = trickyBytes(count: 1 << 20, seed: 42)
        let body = formBody(parts: [
            (fieldHeaders("group_id"), Array("123456".utf8)),
            (fileHeaders("file", filename: "big.bin"), file),
            (fieldHeaders("name"), Array("big.bin".utf8)),
        ])
        let delimiterLength = 4 + testBoundary.utf8.count
        for seed in UInt64(1)...12 {
            var generator = SeededGenerator(seed: seed)
            var sizes: [Int] = []
            var total = 0
            while total < body.count {
                // Mostly sizes around the delimiter length, where splits inside a delimiter are likeliest.
                let size =
                    switch Int.random(in: 0..<4, using: &generator) {
                    case 0: Int.random(in: 1...8, using: &generator)
                    case 1: Int.random(in: 1...(delimiterLength * 2), using: &generator)
                    case 2: Int.random(in: 1...4096, using: &generator)
                    default: Int.random(in: 1...70_000, using: &generator)
                    }
                sizes.append(size)
                total += size
            }
            let parts = try parse(body, chunkSizes: sizes)
            #expect(parts.count == 3)
            #expect(parts[0].body == Array("123456".utf8))
            #expect(parts[1].body == file, "seed \(seed)")
            #expect(parts[2].body == Array("big.bin".utf8))
        }
    }

    @Test("body bytes are released as they arrive, holding back fewer bytes than the delimiter is long")
    func boundedHoldBack() throws {
        let file = trickyBytes(count: 200_000, seed: 3)
        let head = Array("--\(testBoundary)\r\n\r\n".utf8)
        let body = head + file + Array("\r\n--\(testBoundary)--".utf8)
        let delimiterLength = 4 + testBoundary.utf8.count
        var parser = MultipartParser(boundary: testBoundary)
        var emitted = 0
        var offset = 0
        var generator = SeededGenerator(seed: 9)
        while offset < body.count {
            let size = min(Int.random(in: 1...300, using: &generator), body.count - offset)
            try body[offset..<offset + size].withUnsafeBytes { chunk in
                try parser.feed(chunk) { event in
                    if case .body(let bytes) = event { emitted += bytes.count }
                }
            }
            offset += size
            let fedFileBytes = min(max(offset - head.count, 0), file.count)
            #expect(emitted >= fedFileBytes - (delimiterLength - 1))
            #expect(emitted <= fedFileBytes)
        }
        try parser.finish()
        #expect(emitted == file.count)
    }

    @Test("body bytes are handed over as slices of the fed chunk, not copies")
    func zeroCopySlices() throws {
        let head = Array("--\(testBoundary)\r\n\r\n".utf8)
        let payload = [UInt8](repeating: 0x41, count: 10_000)
        var parser = MultipartParser(boundary: testBoundary)
        try head.withUnsafeBytes { chunk in try parser.feed(chunk) { _ in } }
        try payload.withUnsafeBytes { chunk in
            var slices: [UnsafeRawBufferPointer] = []
            try parser.feed(chunk) { event in
                if case .body(let bytes) = event { slices.append(bytes) }
            }
            #expect(slices.count == 1)
            #expect(slices.first?.baseAddress == chunk.baseAddress)
            #expect(slices.first?.count == chunk.count)
        }
    }

    @Test("a delimiter prefix at a chunk end that turns out to be body is emitted exactly")
    func heldBackPrefixReleased() throws {
        let near = Array("abc\r\n--\(testBoundary.dropLast())".utf8)
        let body = Array("--\(testBoundary)\r\n\r\n".utf8) + near + Array("Z\r\n--\(testBoundary)--".utf8)
        for split in 1..<body.count {
            let parts = try parse(body, chunkSizes: [split, Int.max])
            #expect(parts.map(\.body) == [near + Array("Z".utf8)], "split at \(split)")
        }
    }

    @Test("[UInt8] chunks can be fed directly")
    func contiguousBytesEntryPoint() throws {
        var parser = MultipartParser(boundary: testBoundary)
        var collector = EventCollector()
        try parser.feed(Self.form) { collector.handle($0) }
        try parser.finish()
        Self.expectForm(collector.parts)
    }
}
