import Foundation
import OneBotSpec
import TrefoilCore
import TrefoilJSON

extension Params {
    /// A piece of a pending upload sent as base64 (a fragment's `data`, a chunk): decoded from the frame's text
    /// straight into reused page-aligned memory (`PieceMemory`), which the upload writes to disk without a copy. Text
    /// under 64 KiB, and text that strict base64 does not read (no padding, line breaks), goes the plain, lenient way
    /// of `base64(_:)`, with its errors.
    public func pieceBase64(_ spec: ParamSpec) throws(OneBotError) -> Data {
        guard let data = try optionalPieceBase64(spec) else { throw .lack(spec.name) }
        return data
    }

    /// The base64 text from which a piece is decoded into `PieceMemory` (64 KiB).
    static let mappedPieceText = 1 << 16

    /// `pieceBase64(_:)` of a parameter that may be absent.
    public func optionalPieceBase64(_ spec: ParamSpec) throws(OneBotError) -> Data? {
        if let (_, value) = lookup(spec), case .string(var text) = value {
            let decoded = text.withUTF8 { utf8 -> Data? in
                let prefix = "base64://".utf8
                let input = utf8.starts(with: prefix) ? UnsafeBufferPointer(rebasing: utf8[prefix.count...]) : utf8
                // A small piece is not worth a mapping of its own: it takes the plain way.
                guard input.count >= Self.mappedPieceText else { return nil }
                return PieceMemory.data(capacity: Base64Codec.decodedLength(input.count)) { output in
                    try Base64Codec.decode(UnsafeRawBufferPointer(input), into: output)
                }
            }
            if let decoded { return decoded }
        }
        return try optionalBase64(spec)
    }
}
