/// Bytes made from a stored file's bytes (a preview of an image), kept under their own content address.
///
/// A derived blob belongs to its source blob, not to a file: every file with the same bytes shares it, and it goes
/// when the last of them does.
public struct DerivedBlob: Sendable, Equatable {
    public var sha256: String
    public var size: Int64
    /// What the derivation said its output is (`image/jpeg`).
    public var mediaType: String

    public init(sha256: String, size: Int64, mediaType: String) {
        self.sha256 = sha256
        self.size = size
        self.mediaType = mediaType
    }
}
