import Foundation
import NIOCore
import OneBotV11
import Testing
import TrefoilJSON

@testable import TrefoilServer

/// Answers are written straight into their frame's buffer, and the buffers of large ones are reused.
@Suite("Response frames")
struct ResponseFramesTests {
    static func rangeAnswer(_ count: Int, seed: UInt8) -> ActionResponse {
        let bytes = Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
        return .ok(.object(["data": .fragment(JSONFragment(base64Of: bytes))]), echo: .int(Int64(seed)))
    }

    @Test("a frame holds exactly the envelope's bytes: small, failed, and with megabytes of base64 in it")
    func frameIsTheEnvelope() {
        let answers: [ActionResponse] = [
            .ok(.object(["file_id": "/abc", "size": 3]), echo: "e"),
            .failed(.invalid("offset", "must be in 0...3"), echo: nil),
            Self.rangeAnswer(3 << 20, seed: 1),
            Self.rangeAnswer(5, seed: 2).streamed(),
        ]
        for answer in answers {
            let frame = ResponseFrames.frame(answer)
            #expect(Array(frame.readableBytesView) == answer.encodedBytes())
            ResponseFrames.sent(frame)
        }
    }

    @Test("a large frame given back while the channel still holds it keeps its bytes when the next one is written")
    func reusedBufferNeverOverwritesAFrameInFlight() {
        let first = ResponseFrames.frame(Self.rangeAnswer(2 << 20, seed: 3))
        let expected = Array(first.readableBytesView)
        ResponseFrames.sent(first)  // `first` is still held here, as by a channel not done writing it
        for seed in UInt8(4)...7 {
            let next = ResponseFrames.frame(Self.rangeAnswer(2 << 20, seed: seed))
            #expect(Array(next.readableBytesView) == Self.rangeAnswer(2 << 20, seed: seed).encodedBytes())
            ResponseFrames.sent(next)
        }
        #expect(Array(first.readableBytesView) == expected)
    }
}
