import CVips
import Foundation

/// Reads image headers and makes thumbnails with libvips, on threads of its own, a bounded number at once.
///
/// Copies share their threads and their bound.
public struct Thumbnailer: Sendable {
    /// The bounds checked on every header before any pixel is decoded.
    public let limits: ImageLimits
    private let workers: WorkerThreads

    /// `concurrency` (at least 1) is how many images may be read or thumbnailed at once; more calls wait their turn.
    public init(limits: ImageLimits = ImageLimits(), concurrency: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.limits = limits
        // libvips keeps per-thread buffers that a thread it did not start must free before it ends.
        self.workers = WorkerThreads(limit: concurrency, name: "trefoil-imaging") { vips_thread_shutdown() }
    }

    /// The header of the image at `path`. Header only, no pixel decoding.
    public func probe(path: String) async throws(ImagingError) -> ImageInfo {
        try await workers.run { Vips.probe(path: path) }.get()
    }

    /// The image at `path` made to fit `width` × `height`, aspect ratio kept, never upscaled, and turned upright by
    /// its EXIF orientation. JPEG, PNG, GIF (its first frame) and WebP in; PNG out when the image has alpha, else
    /// JPEG (quality 80), metadata stripped either way.
    ///
    /// An image whose header claims more than `limits.maxPixels` is refused with `.tooManyPixels` before any decoding.
    public func thumbnail(path: String, width: Int, height: Int) async throws(ImagingError) -> Thumbnail {
        let limits = limits
        return try await workers.run { Vips.thumbnail(path: path, width: width, height: height, limits: limits) }.get()
    }
}
