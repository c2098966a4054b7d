/// A voice message's file format: AMR-NB, as phones record it, or MP3, as browsers play it.
public enum VoiceFormat: String, Sendable, CaseIterable {
    case amr, mp3

    /// The media type a download of this format is served with.
    public var mediaType: String {
        switch self {
        case .amr: "audio/amr"
        case .mp3: "audio/mpeg"
        }
    }
}
