import Foundation

extension MultipartParser {
    /// Feeds the next chunk from contiguous storage such as `[UInt8]` or `Data`; see `feed(_:_:)`.
    public mutating func feed(_ chunk: some ContiguousBytes, _ handler: (MultipartEvent) throws -> Void) throws {
        try chunk.withUnsafeBytes { try feed($0, handler) }
    }
}
