import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import TrefoilServer

@Suite("Client frames are unmasked a word at a time")
struct FrameUnmaskerTests {
    /// Bytes that differ at every position, so a key byte applied at the wrong offset shows.
    private func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
    }

    @Test("every length from 0 to 67 and a 5 MB frame unmask to what NIO's byte loop gives")
    func sameBytesAsNIO() {
        let key = WebSocketMaskingKey([0xA5, 0x01, 0x7E, 0xFF])!
        for count in Array(0...67) + [5 * 1024 * 1024 + 3] {
            var ours = ByteBuffer(bytes: bytes(count))
            var nios = ours
            ours.unmaskInPlace(key)
            nios.webSocketUnmask(key)
            #expect(ours == nios, "length \(count)")
        }
    }

    @Test("a buffer that starts inside its storage is unmasked from its first readable byte")
    func readerIndexInside() {
        let key = WebSocketMaskingKey([1, 2, 3, 4])!
        var ours = ByteBuffer(bytes: bytes(40))
        ours.moveReaderIndex(forwardBy: 3)
        var nios = ours
        ours.unmaskInPlace(key)
        nios.webSocketUnmask(key)
        #expect(ours == nios)
    }

    @Test("a masked frame leaves the handler unmasked and without its key; one with extension data is untouched")
    func handlerStripsTheKey() throws {
        let channel = EmbeddedChannel(handler: FrameUnmasker())
        let key = WebSocketMaskingKey([9, 8, 7, 6])!
        var masked = ByteBuffer(string: #"{"action":"get_status","echo":1}"#)
        masked.webSocketMask(key)
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .text, maskKey: key, data: masked))
        let plain = try #require(try channel.readInbound(as: WebSocketFrame.self))
        #expect(plain.maskKey == nil)
        #expect(String(buffer: plain.data) == #"{"action":"get_status","echo":1}"#)

        let withExtension = WebSocketFrame(
            fin: true, opcode: .binary, maskKey: key, data: masked, extensionData: ByteBuffer(bytes: [1, 2]))
        try channel.writeInbound(withExtension)
        let passed = try #require(try channel.readInbound(as: WebSocketFrame.self))
        #expect(passed.maskKey == key)
        #expect(passed.data == masked)
        _ = try channel.finish()
    }
}
