/// Where JSON text is written: a byte array, or a transport's own buffer, so that an answer carrying megabytes of
/// base64 is encoded straight into the frame that carries it.
public protocol JSONSink {
    mutating func append(_ byte: UInt8)
    mutating func append<Bytes: Sequence>(contentsOf bytes: Bytes) where Bytes.Element == UInt8
    /// Makes room for `count` bytes, lets `fill` write into it, and keeps the bytes `fill` says it wrote (at most
    /// `count`).
    mutating func append(room count: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int)
}

extension Array: JSONSink where Element == UInt8 {
    public mutating func append(room count: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int) {
        let start = self.count
        append(contentsOf: repeatElement(0, count: count))
        let written = withUnsafeMutableBytes { fill(UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
        removeLast(count - Swift.min(count, written))
    }
}
