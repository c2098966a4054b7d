/// The ffmpeg command lines Trefoil runs. Every one reads one local file and writes one, single-threaded and quiet.
enum FFmpegArguments {
    /// The demuxers a source may be read with: containers that read only the file they are given. Left out are the
    /// ones that open other files named inside the source (HLS and DASH playlists, concat lists, image sequences) and
    /// the ones that read anything (tty renders a text file as video): with `file` the only protocol allowed, an
    /// uploaded playlist could otherwise put another file of this machine into a cover.
    static let demuxers = [
        "mov", "matroska", "avi", "flv", "mpegts", "mpeg", "asf", "ogg",
        "mp3", "amr", "amrnb", "amrwb", "wav", "aac", "flac", "aiff",
    ].joined(separator: ",")

    /// A JPEG of the first frame at or after 0.5 s (timestamps counted from the first frame), or of the first frame
    /// when the clip is shorter: the first frame is written, then overwritten by the later one if it comes.
    static func cover(source: String, output: String) -> [String] {
        input(source) + [
            // `V`, not `v`: an attached picture (an MP3's album art) is not a video.
            "-map", "0:V:0",
            "-vf", "setpts=PTS-STARTPTS,select='eq(n\\,0)+gte(t\\,0.5)*lt(prev_selected_t\\,0.5)'",
            // Each selected frame once: by default the gap before the second is filled with copies of the first,
            // and the second frame written is one of them.
            "-fps_mode", "passthrough",
            "-frames:v", "2",
            "-threads", "1",
            // One file, never a numbered sequence, whatever `%` the path holds.
            "-update", "1",
            "-f", "image2", "-c:v", "mjpeg",
            "-y", "file:\(output)",
        ]
    }

    /// The first audio stream of `source` as AMR-NB 8 kHz mono at 12.2 kbit/s, or MP3 mono at 64 kbit/s (at the
    /// source's sample rate where MP3 has it, else the nearest ffmpeg picks).
    static func voice(source: String, format: VoiceFormat, output: String) -> [String] {
        let encoding =
            switch format {
            case .amr: ["-f", "amr", "-c:a", "libopencore_amrnb", "-ar", "8000", "-ac", "1", "-b:a", "12.2k"]
            case .mp3: ["-f", "mp3", "-c:a", "libmp3lame", "-ac", "1", "-b:a", "64k"]
            }
        // Tags (titles, album art) stay behind: a voice message is its sound.
        return input(source) + ["-map", "0:a:0", "-map_metadata", "-1", "-threads", "1"] + encoding + [
            "-y", "file:\(output)",
        ]
    }

    private static func input(_ source: String) -> [String] {
        [
            "-nostdin", "-hide_banner", "-nostats", "-loglevel", "error",
            "-filter_threads", "1",
            "-threads", "1",
            "-protocol_whitelist", "file",
            "-format_whitelist", demuxers,
            "-i", "file:\(source)",
        ]
    }

    /// Whether ffmpeg's error output says `source` is no media it reads (at opening, as "file:…: Invalid data
    /// found…", not a damaged frame later on), is read by a demuxer left out above, or has no stream of the kind asked
    /// for.
    static func saysNotMedia(_ errorOutput: String, source: String) -> Bool {
        [
            "file:\(source): Invalid data found when processing input", "Format not on whitelist",
            "matches no streams",
        ].contains { errorOutput.contains($0) }
    }
}
