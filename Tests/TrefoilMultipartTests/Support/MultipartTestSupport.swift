import Testing

@testable import TrefoilMultipart

/// One part as the parser reported it, with its body reassembled.
struct ParsedPart: Equatable {
    var headers: MultipartPartHeaders
    var body: [UInt8]
}

/// Folds events into parts, checking they arrive in a well-formed order.
struct EventCollector {
    var parts: [ParsedPart] = []
    var isInPart = false

    mutating func handle(_ event: MultipartEvent) {
        switch event {
        case .partBegin(let headers):
            #expect(!isInPart, "a part began inside another")
            parts.append(ParsedPart(headers: headers, body: []))
            isInPart = true
        case .body(let bytes):
            #expect(isInPart, "body bytes outside a part")
            #expect(!bytes.isEmpty, "empty body slices are noise for the caller")
            if !parts.isEmpty { parts[parts.count - 1].body.append(contentsOf: bytes) }
        case .partEnd:
            #expect(isInPart, "a part ended that never began")
            isInPart = false
        }
    }
}

/// Parses `body` fed in chunks whose sizes cycle through `chunkSizes`, then finishes.
func parse(
    _ body: [UInt8], boundary: String = testBoundary, chunkSizes: [Int] = [Int.max],
    maxHeaderBytes: Int = 16 * 1024, maxParts: Int = 64
) throws -> [ParsedPart] {
    var parser = MultipartParser(boundary: boundary, maxHeaderBytes: maxHeaderBytes, maxParts: maxParts)
    var collector = EventCollector()
    var offset = 0
    var sizeIndex = 0
    while offset < body.count {
        let size = min(chunkSizes[sizeIndex % chunkSizes.count], body.count - offset)
        sizeIndex += 1
        try body[offset..<offset + size].withUnsafeBytes { chunk in
            try parser.feed(chunk) { collector.handle($0) }
        }
        offset += size
    }
    try parser.finish()
    #expect(!collector.isInPart)
    return collector.parts
}

let testBoundary = "----TrefoilBoundary7MA4YWxkTrZu0gW"

/// Builds a multipart body the way a client would.
func formBody(
    boundary: String = testBoundary, parts: [(headers: [String], body: [UInt8])], preamble: String = "",
    epilogue: String = ""
) -> [UInt8] {
    var bytes = preamble.isEmpty ? [] : Array((preamble + "\r\n").utf8)
    for part in parts {
        bytes += Array("--\(boundary)\r\n".utf8)
        for line in part.headers { bytes += Array((line + "\r\n").utf8) }
        bytes += Array("\r\n".utf8)
        bytes += part.body
        bytes += Array("\r\n".utf8)
    }
    bytes += Array("--\(boundary)--\(epilogue)".utf8)
    return bytes
}

/// Headers for a plain form field.
func fieldHeaders(_ name: String) -> [String] {
    ["Content-Disposition: form-data; name=\"\(name)\""]
}

/// Headers for a file field.
func fileHeaders(_ name: String, filename: String, type: String = "application/octet-stream") -> [String] {
    ["Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"", "Content-Type: \(type)"]
}

/// SplitMix64: tiny, seeded and good enough to make reproducible test data.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Pseudo-random bytes sprinkled with near-misses of the delimiter, the inputs most likely to confuse a parser.
func trickyBytes(count: Int, seed: UInt64, boundary: String = testBoundary) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let delimiter = Array("\r\n--\(boundary)".utf8)
    let step = max(count / 400, delimiter.count + 4)
    var position = Int.random(in: 1..<step, using: &generator)
    while position + delimiter.count + 2 < count {
        switch Int.random(in: 0..<3, using: &generator) {
        case 0:
            // A proper prefix of the delimiter, then a byte that breaks it.
            let length = Int.random(in: 1..<delimiter.count, using: &generator)
            bytes.replaceSubrange(position..<position + length, with: delimiter[0..<length])
            bytes[position + length] = ~delimiter[length]
        case 1:
            // The boundary with its dashes but no CRLF in front: plain body text per RFC 2046.
            let dashed = delimiter[2...]
            bytes.replaceSubrange(position..<position + dashed.count, with: dashed)
            bytes[position - 1] = UInt8(ascii: "x")
        default:
            // A stray CR right before a near-miss.
            let length = Int.random(in: 1..<delimiter.count, using: &generator)
            bytes[position] = UInt8(ascii: "\r")
            bytes.replaceSubrange(position + 1..<position + 1 + length, with: delimiter[0..<length])
            bytes[position + 1 + length] = ~delimiter[length]
        }
        position += Int.random(in: delimiter.count + 2..<step + delimiter.count + 2, using: &generator)
    }
    return bytes
}

/// Expects `body` to be rejected with exactly `error`.
func expectRejected(
    _ body: [UInt8], with error: MultipartError, boundary: String = testBoundary, chunkSizes: [Int] = [Int.max],
    maxHeaderBytes: Int = 16 * 1024, maxParts: Int = 64, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(throws: error, sourceLocation: sourceLocation) {
        try parse(
            body, boundary: boundary, chunkSizes: chunkSizes, maxHeaderBytes: maxHeaderBytes, maxParts: maxParts)
    }
}
