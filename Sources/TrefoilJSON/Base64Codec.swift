import CTrefoilBase64
import ExtrasBase64

/// Standard base64 (padded) between raw buffers, for the megabytes a ranged answer or an uploaded fragment carries:
/// whole blocks with AVX2 (CTrefoilBase64, about ten times swift-extras-base64's speed here), the tail, the padding
/// and every error by swift-extras-base64, which also does it all on a processor without AVX2.
public enum Base64Codec {
    /// The length of the padded base64 of `count` bytes.
    public static func encodedLength(_ count: Int) -> Int { Base64.encodedLength(bytesCount: count) }

    /// At most how many bytes `count` characters of base64 decode to.
    public static func decodedLength(_ count: Int) -> Int { Base64.decodedLength(bytesCount: count) }

    /// Writes the base64 of `input` to `output` (at least `encodedLength(input.count)` bytes); returns how many.
    public static func encode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        blocksThenTail(input, output, blocks: CTrefoilBase64_encodeBlocks, group: (3, 4)) { tail, rest in
            Base64.encode(bytes: tail, into: &rest)
        }
    }

    /// Decodes the base64 `input` (padded, no line breaks) into `output` (at least `decodedLength(input.count)`
    /// bytes); returns how many bytes it wrote. Throws when `input` is not base64.
    public static func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int
    {
        try blocksThenTail(input, output, blocks: CTrefoilBase64_decodeBlocks, group: (4, 3)) { tail, rest in
            try Base64.decode(bytes: tail, into: &rest)
        }
    }

    /// Whole blocks by `blocks` (CTrefoilBase64, which says how much input it took; every `group.input` bytes of that
    /// made `group.output`), then the rest of `input` into the rest of `output` by `tail` (swift-extras-base64).
    /// Returns the bytes written.
    private static func blocksThenTail(
        _ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer,
        blocks: (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<UInt8>) -> Int, group: (input: Int, output: Int),
        tail: (Span<UInt8>, inout MutableSpan<UInt8>) throws -> Int
    ) rethrows -> Int {
        guard let source = input.baseAddress, let target = output.baseAddress, input.count > 0 else { return 0 }
        let taken = blocks(
            source.assumingMemoryBound(to: UInt8.self), input.count, target.assumingMemoryBound(to: UInt8.self))
        let done = taken / group.input * group.output
        var rest = UnsafeMutableRawBufferPointer(rebasing: output[done...]).bindMemory(to: UInt8.self).mutableSpan
        let left = UnsafeRawBufferPointer(rebasing: input[taken...]).bindMemory(to: UInt8.self)
        return try done + tail(left.span, &rest)
    }
}
