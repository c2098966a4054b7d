/// The bounds an image must keep before any of its pixels are decoded.
public struct ImageLimits: Sendable {
    /// The most pixels an image may have, counting every frame of an animation. A PNG of a few kilobytes can claim
    /// 50,000 × 50,000 pixels (2.5 billion); libvips took 16 s and 500 MB to thumbnail one with no bound.
    public var maxPixels: Int64

    public init(maxPixels: Int64 = 100_000_000) {
        self.maxPixels = maxPixels
    }
}
