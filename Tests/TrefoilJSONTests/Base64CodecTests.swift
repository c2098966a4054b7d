import Foundation
import Testing
import TrefoilJSON

/// `Base64Codec` does whole blocks with AVX2 and the rest with swift-extras-base64; these pin that together they are
/// standard base64 exactly as Foundation writes and reads it, at every length and with every byte anywhere.
@Suite("Base64 codec")
struct Base64CodecTests {
    /// Bytes that are the same on every run (a fixed linear congruential sequence).
    static func bytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    static func encode(_ input: [UInt8]) -> String {
        var output = [UInt8](repeating: 0, count: Base64Codec.encodedLength(input.count))
        let written = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { Base64Codec.encode(source, into: $0) }
        }
        #expect(written == output.count)
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) throws -> [UInt8] { try decode(Array(text.utf8)) }

    static func decode(_ input: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Base64Codec.decodedLength(input.count))
        let written = try input.withUnsafeBytes { source in
            try output.withUnsafeMutableBytes { try Base64Codec.decode(source, into: $0) }
        }
        return Array(output[..<written])
    }

    static let lengths = Array(0...130) + [1023, 1024, 1025, (1 << 20) + 7, 3 << 20]

    @Test("encoding gives Foundation's base64 at every length from 0 to 130 bytes and at megabytes")
    func encodesAsFoundation() {
        for count in Self.lengths {
            let input = Self.bytes(count, seed: UInt64(count))
            #expect(Self.encode(input) == Data(input).base64EncodedString(), "\(count) bytes")
        }
    }

    @Test("decoding Foundation's base64 gives the bytes back at every length")
    func decodesFoundation() throws {
        for count in Self.lengths {
            let input = Self.bytes(count, seed: UInt64(count) + 99)
            #expect(try Self.decode(Data(input).base64EncodedString()) == input, "\(count) bytes")
        }
    }

    @Test("every byte value at every position of the first two blocks is decoded, or refused, as Foundation does")
    func everyByteAnywhere() throws {
        let valid = Array(Data(Self.bytes(96, seed: 7)).base64EncodedString().utf8)  // 128 characters, 4 blocks
        for position in 0..<64 {
            for value in 0...255 {
                var text = valid
                text[position] = UInt8(value)
                let expected = Data(base64Encoded: Data(text))
                let decoded = try? Self.decode(text)
                #expect(decoded == expected.map { Array($0) }, "byte \(value) at \(position)")
            }
        }
    }

    @Test("padding before the last group, a line break and a missing character are refused")
    func refusals() {
        let good = Data(Self.bytes(60)).base64EncodedString()  // 80 characters
        for bad in ["QQ==" + good, good + "\n" + good, String(good.dropLast())] {
            #expect(throws: (any Error).self) { try Self.decode(bad) }
        }
    }

    @Test("every last group made of A, Q, B, /, + and = is read, or refused, as Foundation reads it, but ====")
    func lastGroups() throws {
        let prefix = Array(Data(Self.bytes(48, seed: 11)).base64EncodedString().utf8)  // two whole blocks
        let letters = Array("AQB/+=".utf8)
        for a in letters {
            for b in letters {
                for c in letters {
                    for d in letters {
                        let text = prefix + [a, b, c, d]
                        // Foundation reads a last group of four "=" as nothing; it is no base64, and refused.
                        let expected =
                            [a, b, c, d] == Array("====".utf8)
                            ? nil : Data(base64Encoded: Data(text)).map { Array($0) }
                        #expect(
                            (try? Self.decode(text)) == expected, "\(String(decoding: [a, b, c, d], as: UTF8.self))")
                    }
                }
            }
        }
    }
}
