import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Makes video covers and transcodes voice messages with ffmpeg, run as a child process within `limits`, at most
/// `concurrency` at once. Protocol-free and store-free: a face hands it file paths.
///
/// Copies share their bound.
public struct MediaTool: Sendable {
    /// The bounds of every run.
    public let limits: MediaLimits
    /// ffmpeg's path, or nil when there is none.
    let ffmpeg: String?
    /// util-linux's `prlimit`, which starts ffmpeg within the memory and file size bounds.
    let prlimit: String?
    let slots: ProcessSlots

    /// `ffmpegPath` nil looks ffmpeg up on PATH, once, here. `concurrency` (at least 1) is how many ffmpeg processes
    /// may run at once; more calls wait their turn.
    public init(
        ffmpegPath: String? = nil, limits: MediaLimits = MediaLimits(),
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.limits = limits
        self.ffmpeg = Executables.find(ffmpegPath ?? "ffmpeg")
        self.prlimit = Executables.find("prlimit")
        self.slots = ProcessSlots(limit: concurrency)
    }

    /// Whether ffmpeg (and prlimit) were found; when not, every call fails with `.toolMissing`.
    public var isAvailable: Bool { ffmpeg != nil && prlimit != nil }

    /// A JPEG of a frame near the start of a video (at 0.5 s, or the first frame of a shorter clip), at the video's
    /// size, written to `output`; returns "image/jpeg".
    public func videoCover(source: String, output: String) async throws(MediaError) -> String {
        try await run(source: source, output: output, FFmpegArguments.cover)
        return "image/jpeg"
    }

    /// `source` (any audio ffmpeg reads, or a video's sound) re-encoded as `format` (AMR-NB 8 kHz mono 12.2 kbit/s;
    /// MP3 mono 64 kbit/s) into `output`; returns `format.mediaType`.
    public func transcodeVoice(source: String, to format: VoiceFormat, output: String) async throws(MediaError)
        -> String
    {
        try await run(source: source, output: output) { source, output in
            FFmpegArguments.voice(source: source, format: format, output: output)
        }
        return format.mediaType
    }
}
