/// Why an image could not be read or thumbnailed.
public enum ImagingError: Error, Sendable, Equatable {
    /// The file is not a JPEG, PNG, GIF or WebP image (text, an empty file, another image format).
    case notAnImage
    /// The header claims more pixels than `ImageLimits.maxPixels` allows (of an animation, its first frame, the one decoded); nothing was decoded.
    /// The width and height are of one frame.
    case tooManyPixels(width: Int, height: Int)
    /// The file could not be opened, or libvips could not decode it (a truncated or corrupt image), or the requested
    /// size is not one; the text is libvips' own explanation where it gave one.
    case failed(String)
}
