import NIOCore
import OneBotV11
import Synchronization
import TrefoilJSON

/// Response frames written in place: the envelope goes straight into the frame's buffer (a base64 range encoded
/// there, not into a string first), and buffers of large answers are reused.
///
/// A `get_file_fragmented` range of 4 MiB was answered through three fresh buffers of about 5.6 MB (the base64
/// string, the envelope's bytes, the frame's `ByteBuffer`), besides the range's own; faulting them in and glibc
/// handing them back were half of the server's CPU on that path (perf, docs/performance.md). Now there is one, and it
/// is the last one's memory.
enum ResponseFrames {
    /// The frame's payload for `response`.
    static func frame(_ response: ActionResponse) -> ByteBuffer {
        var sink = FrameSink(buffer: LargeFrameBuffers.shared.take(response.encodedCapacity))
        response.encode(into: &sink)
        return sink.buffer
    }

    /// Hands `frame`'s memory back once it has been written: the next large answer takes it.
    static func sent(_ frame: ByteBuffer) { LargeFrameBuffers.shared.giveBack(frame) }
}

/// A `ByteBuffer` as a place JSON is written to.
struct FrameSink: JSONSink {
    var buffer: ByteBuffer

    mutating func append(_ byte: UInt8) { buffer.writeInteger(byte) }

    mutating func append<Bytes: Sequence>(contentsOf bytes: Bytes) where Bytes.Element == UInt8 {
        buffer.writeBytes(bytes)
    }

    mutating func append(room count: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { room in
            min(count, fill(UnsafeMutableRawBufferPointer(rebasing: room[..<count])))
        }
    }
}

/// The buffers of the last few large frames, kept for the next ones.
///
/// A buffer is given back when its frame has been handed to the channel, which may still hold it until the bytes
/// are on the socket; `ByteBuffer.clear()` then finds it shared and allocates anew, so reuse never writes into a
/// frame still on its way. Only frames of 1–16 MiB are kept (a 4 MiB range is 5.6 MB of base64), at most two: what
/// this holds when idle is what the last two large answers needed, 32 MiB at most.
final class LargeFrameBuffers: Sendable {
    static let shared = LargeFrameBuffers(keep: 2, smallest: 1 << 20, largest: 16 << 20)

    private let keep: Int
    private let smallest: Int
    private let largest: Int
    private let idle = Mutex<[ByteBuffer]>([])

    init(keep: Int, smallest: Int, largest: Int) {
        self.keep = keep
        self.smallest = smallest
        self.largest = largest
    }

    /// An empty buffer with room for `capacity` bytes.
    func take(_ capacity: Int) -> ByteBuffer {
        if capacity >= smallest, var reused = idle.withLock({ $0.popLast() }) {
            reused.clear()
            reused.reserveCapacity(capacity)
            return reused
        }
        return ByteBufferAllocator().buffer(capacity: capacity)
    }

    func giveBack(_ buffer: ByteBuffer) {
        guard buffer.capacity >= smallest, buffer.capacity <= largest else { return }
        idle.withLock { idle in
            if idle.count < keep { idle.append(buffer) }
        }
    }
}
