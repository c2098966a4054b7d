import Foundation
import TrefoilCore
import TrefoilFaceKit
import TrefoilImaging
import TrefoilMedia

/// The forms a download may ask for: the original, a thumbnail, a cover, a voice file in another format. Every
/// form but the original is a derived blob: made on first request (libvips for images, ffmpeg for video covers and
/// voice), stored, counted and collected with its source.
struct QiniuVariants: Sendable {
    let store: FileTree
    let thumbnailer: Thumbnailer
    let media: MediaTool

    /// What the query asks for.
    struct Ask: Sendable, Equatable {
        enum Form: Sendable, Equatable {
            case original
            case thumbnail(width: Int, height: Int)
            case cover(width: Int, height: Int)
        }
        var form: Form
        var voice: VoiceFormat?

        static func read(_ query: [String: String], settings: QiniuSettings) -> Result<Ask, QiniuError> {
            func side(_ name: String, _ fallback: Int) -> Int? {
                guard let text = query[name], !text.isEmpty else { return fallback }
                guard let value = Int(text), (1...10_000).contains(value) else { return nil }
                return value
            }
            guard let width = side("w", settings.thumbnailWidth), let height = side("h", settings.thumbnailHeight)
            else {
                return .failure(.badParam("w and h must be numbers of pixels from 1 to 10000"))
            }
            let form: Form
            switch query["image_type"].flatMap({ $0.isEmpty ? nil : $0 }) {
            case nil, "1"?: form = .original
            case "2"?: form = .thumbnail(width: width, height: height)
            case "3"?: form = .cover(width: width, height: height)
            default: return .failure(.badParam("image_type must be 1 (original), 2 (thumbnail) or 3 (cover)"))
            }
            var voice: VoiceFormat?
            if let text = query["format"], !text.isEmpty {
                guard let format = VoiceFormat(rawValue: text.lowercased()) else {
                    return .failure(.badParam("format must be amr or mp3"))
                }
                voice = format
            }
            return .success(Ask(form: form, voice: voice))
        }
    }

    func resolve(_ file: StoredFile, _ ask: Ask) async -> DownloadResolution {
        do {
            switch ask.form {
            case .original:
                return try await voice(file, ask.voice)
            case .thumbnail(let width, let height):
                return try await picture(file, width: width, height: height)
            case .cover(let width, let height):
                return try await picture(file, width: width, height: height, required: true)
            }
        } catch let error as QiniuError {
            return .refused(error.refusal)
        } catch TrefoilError.fileNotFound {
            return .refused(QiniuError.notFound("the file does not exist").refusal)
        } catch {
            return .refused(QiniuError.serverError("the file could not be prepared").refusal)
        }
    }

    /// The original, or a voice file in `format` when it is voice in the other one.
    private func voice(_ file: StoredFile, _ format: VoiceFormat?) async throws -> DownloadResolution {
        guard let format, let stored = MediaTool.voiceFormat(ofFileAt: try await store.localCopy(of: file)),
            stored != format
        else {
            return .file(file)
        }
        let media = self.media
        let blob: DerivedBlob
        do {
            blob = try await derive(file, "voice-\(format.rawValue)") { source, output in
                try await media.transcodeVoice(source: source, to: format, output: output)
            }
        } catch MediaError.notMedia {
            throw QiniuError.badParam("the file is not audio that can be transcoded")
        } catch MediaError.timedOut {
            throw QiniuError.serverError("transcoding took too long")
        } catch let error as MediaError {
            throw QiniuError.badParam("the voice file cannot be read: \(error)")
        }
        return .derived(DerivedDownload(blob: blob, name: Self.rename(file.name, to: format.rawValue)))
    }

    /// A thumbnail of an image; of a video, its cover (then fitted to the box); of anything else, the original
    /// (`required` false) or a refusal (a cover asked of a file that has none).
    private func picture(
        _ file: StoredFile, width: Int, height: Int, required: Bool = false
    ) async throws -> DownloadResolution {
        let variant = "thumbnail-\(width)x\(height)"
        // A thumbnail or cover already made is served from the store's memory, without reading the file's header
        // through libvips on every request.
        var made = try await store.derived(from: file, variant: variant)
        if made == nil { made = try await store.derived(from: file, variant: "cover") }
        if let made {
            return .derived(DerivedDownload(blob: made, name: Self.rename(file.name, to: Self.suffix(made.mediaType))))
        }
        let thumbnailer = self.thumbnailer
        let path = try await store.localCopy(of: file)
        if (try? await thumbnailer.probe(path: path)) != nil {
            let blob = try await derive(file, variant) { source, output in
                try await Self.thumbnail(thumbnailer, source, width, height, output)
            }
            return .derived(DerivedDownload(blob: blob, name: Self.rename(file.name, to: Self.suffix(blob.mediaType))))
        }
        let media = self.media
        do {
            let cover = try await derive(file, "cover") { source, output in
                try await media.videoCover(source: source, output: output)
            }
            return .derived(DerivedDownload(blob: cover, name: Self.rename(file.name, to: "jpg")))
        } catch MediaError.toolMissing {
            throw QiniuError.unavailable("video covers need ffmpeg, which this server does not have")
        } catch MediaError.timedOut {
            throw QiniuError.serverError("making the cover took too long")
        } catch let error as MediaError {
            // A thumbnail asked of a file with no picture in it is the file; a cover must be a picture.
            guard required else { return .file(file) }
            if error == .notMedia {
                throw QiniuError.badParam("the file is neither an image nor a video: it has no cover")
            }
            throw QiniuError.badParam("the file has no cover that can be read: \(error)")
        }
    }

    private func derive(
        _ file: StoredFile, _ variant: String,
        _ make: @escaping @Sendable (String, String) async throws -> String
    ) async throws -> DerivedBlob {
        do {
            return try await store.derive(from: file, variant: variant, make: make)
        } catch MediaError.toolMissing {
            throw QiniuError.unavailable("voice transcoding needs ffmpeg, which this server does not have")
        } catch ImagingError.tooManyPixels(let width, let height) {
            throw QiniuError.badParam("the image is \(width) × \(height) pixels, too large for a thumbnail")
        } catch let error as ImagingError {
            throw QiniuError.badParam("the image cannot be decoded: \(error)")
        }
    }

    private static func thumbnail(
        _ thumbnailer: Thumbnailer, _ source: String, _ width: Int, _ height: Int, _ output: String
    ) async throws -> String {
        let thumbnail = try await thumbnailer.thumbnail(path: source, width: width, height: height)
        try Data(thumbnail.bytes).write(to: URL(fileURLWithPath: output))
        return thumbnail.mediaType
    }

    private static func suffix(_ mediaType: String) -> String { mediaType == "image/png" ? "png" : "jpg" }

    /// `clip.mp3` → `clip.amr`.
    static func rename(_ name: String, to suffix: String) -> String {
        let base = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
        return (base.isEmpty ? "file" : base) + "." + suffix
    }
}
