/// A thumbnail ready to serve: the encoded file and what to label it with.
public struct Thumbnail: Sendable {
    /// The encoded image, without the source's metadata (EXIF, GPS, ICC, comments).
    public var bytes: [UInt8]
    /// `image/png` when the image has transparency, else `image/jpeg`.
    public var mediaType: String
    public var width: Int
    public var height: Int

    public init(bytes: [UInt8], mediaType: String, width: Int, height: Int) {
        self.bytes = bytes
        self.mediaType = mediaType
        self.width = width
        self.height = height
    }
}
