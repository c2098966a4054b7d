import Foundation
import TrefoilCore
import TrefoilFaceKit
import TrefoilImaging

/// Thumbnails of stored images, made once per source blob and box and kept as derived blobs.
///
/// Made on the first request rather than at upload: the upload answers as fast as any other (decoding a 12 MP
/// JPEG costs far more than storing it), files nobody previews cost nothing, and a box asked for after a config
/// change is made when it is first needed. Concurrent first requests share one decode (the store's `derive`), and
/// the result is stored, counted and collected with its source.
struct Thumbnails: Sendable {
    let store: FileTree
    let thumbnailer: Thumbnailer
    let maxPixels: Int64

    /// What `thumbnail: true` answers for `file`: an image of at most 10 KB is its own thumbnail; a larger image is
    /// scaled to fit `box`; anything that is not an image is served as it is (the service makes thumbnails of images
    /// only, and the header is a preference, not a filter).
    func resolve(_ file: StoredFile, box: PreviewBox, started: ContinuousClock.Instant) async -> DownloadResolution {
        if file.size <= EasemobLimits.ownThumbnailBytes { return .file(file) }
        let thumbnailer = self.thumbnailer
        do {
            let blob = try await store.derive(from: file, variant: "thumbnail-\(box.width)x\(box.height)") {
                source, output in
                let thumbnail = try await thumbnailer.thumbnail(path: source, width: box.width, height: box.height)
                try Data(thumbnail.bytes).write(to: URL(fileURLWithPath: output))
                return thumbnail.mediaType
            }
            return .derived(DerivedDownload(blob: blob, name: Self.name(of: file.name, mediaType: blob.mediaType)))
        } catch ImagingError.notAnImage {
            return .file(file)
        } catch ImagingError.tooManyPixels(let width, let height) {
            return .refused(
                EasemobError.illegalArgument(
                    "the image is \(width) × \(height) pixels; thumbnails are made of images of at most \(maxPixels)"
                ).refusal(started: started))
        } catch ImagingError.failed(let reason) {
            return .refused(
                EasemobError.illegalArgument("the image cannot be decoded: \(reason)").refusal(started: started))
        } catch TrefoilError.fileNotFound {
            return .refused(EasemobError.fileUnknown.refusal(started: started))
        } catch {
            return .refused(EasemobError.serverError("the thumbnail could not be made").refusal(started: started))
        }
    }

    /// `photo.webp` → `photo.jpg` (or `.png`): the thumbnail's download name.
    static func name(of original: String, mediaType: String) -> String {
        let base = original.lastIndex(of: ".").map { String(original[..<$0]) } ?? original
        return (base.isEmpty ? "thumbnail" : base) + (mediaType == "image/png" ? ".png" : ".jpg")
    }
}
