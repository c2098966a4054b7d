/// What an image file's header says, read without decoding its pixels.
public struct ImageInfo: Sendable, Equatable {
    /// The width in pixels (of one frame, for an animation).
    public var width: Int
    /// The height in pixels (of one frame, for an animation).
    public var height: Int
    public var format: ImageFormat
    /// Whether the pixels carry transparency. libvips decodes every GIF with an alpha channel, so a GIF always has one.
    public var hasAlpha: Bool

    public init(width: Int, height: Int, format: ImageFormat, hasAlpha: Bool) {
        self.width = width
        self.height = height
        self.format = format
        self.hasAlpha = hasAlpha
    }
}

/// The image formats Trefoil reads. Anything else, including formats libvips could open (TIFF, SVG, HEIF, PDF), is
/// `ImagingError.notAnImage`: each further decoder is more attack surface for files from the network.
public enum ImageFormat: String, Sendable {
    case jpeg, png, gif, webp
}
