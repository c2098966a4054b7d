/// The bounds every ffmpeg run keeps.
public struct MediaLimits: Sendable {
    /// How long one run may take, from ffmpeg's start (waiting for a free slot does not count); then ffmpeg and
    /// anything it started are killed.
    public var timeout: Duration
    /// The address space ffmpeg may map. Loading ffmpeg and its libraries alone takes about 300 MB of it
    /// (256 MiB is too little to start), so the bound is well above that.
    public var maxMemoryBytes: Int
    /// The largest file a run may write.
    public var maxOutputBytes: Int64

    public init(timeout: Duration = .seconds(30), maxMemoryBytes: Int = 1 << 30, maxOutputBytes: Int64 = 256 << 20) {
        self.timeout = timeout
        self.maxMemoryBytes = maxMemoryBytes
        self.maxOutputBytes = maxOutputBytes
    }
}
