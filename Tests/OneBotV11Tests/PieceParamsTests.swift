import Foundation
import OneBotSpec
import Testing
import TrefoilJSON

@testable import OneBotV11

@Suite("Pieces sent as base64")
struct PieceParamsTests {
    let bytes = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })

    private func params(_ text: String) -> Params { Params(["data": .string(text)]) }

    @Test("padded base64 of 64 KiB and more, with or without base64://, decodes to the exact bytes in aligned memory")
    func strictBase64IsAligned() throws {
        for text in [bytes.base64EncodedString(), "base64://" + bytes.base64EncodedString()] {
            let decoded = try params(text).pieceBase64(Param.fragmentData)
            #expect(decoded == bytes)
            // Aligned memory is what lets the pending upload write the piece directly, without a copy.
            #expect(decoded.withUnsafeBytes { Int(bitPattern: $0.baseAddress!) % 4096 } == 0)
        }
        // A small piece decodes the plain way, to the same bytes.
        let small = bytes.prefix(40_000)
        #expect(try params(small.base64EncodedString()).pieceBase64(Param.fragmentData) == small)
    }

    @Test("base64 without its padding or with line breaks still decodes, the lenient way")
    func lenientBase64() throws {
        for count in [10, 11] {  // two and one padding characters left off
            var unpadded = Data(bytes.prefix(count)).base64EncodedString()
            while unpadded.hasSuffix("=") { unpadded.removeLast() }
            #expect(try params(unpadded).pieceBase64(Param.fragmentData) == bytes.prefix(count))
            #expect(try params(unpadded + "\n").pieceBase64(Param.fragmentData) == bytes.prefix(count))
        }
        let wrapped = bytes.base64EncodedString(options: .lineLength76Characters)
        #expect(wrapped.contains("\r\n"))
        #expect(try params(wrapped).pieceBase64(Param.fragmentData) == bytes)
    }

    @Test("text that is not base64, or no data at all, is BAD_PARAM naming the param; an empty string is no bytes")
    func refusals() throws {
        #expect(throws: OneBotError.invalid("data", "not valid base64")) {
            try params("@@@A").pieceBase64(Param.fragmentData)  // one character of base64 is no byte
        }
        #expect(throws: OneBotError.invalid("data", "expected a base64 string")) {
            try Params(["data": 12]).pieceBase64(Param.fragmentData)
        }
        #expect(throws: OneBotError.lack("data")) { try Params().pieceBase64(Param.fragmentData) }
        #expect(try Params().optionalPieceBase64(Param.fragmentData) == nil)
        #expect(try params("").pieceBase64(Param.fragmentData) == Data())
    }
}
