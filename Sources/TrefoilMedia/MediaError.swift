/// Why a cover or a transcode could not be made. Whatever ffmpeg had written to the output path by then is removed.
public enum MediaError: Error, Sendable, Equatable {
    /// There is no ffmpeg on PATH (or at the configured path), or no `prlimit` to start it within its memory bound.
    case toolMissing
    /// ffmpeg found no stream of the kind asked for: the file is not a video (for a cover) or has no audio (for a
    /// voice), or is no media ffmpeg reads at all.
    case notMedia
    /// ffmpeg was still running at `MediaLimits.timeout` and was killed.
    case timedOut
    /// Anything else: the source could not be read, ffmpeg failed or wrote too much. The text is ffmpeg's own last
    /// lines where it wrote any.
    case failed(String)
}
