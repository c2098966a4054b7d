/// `file_type`: what a chat upload holds and where it lands. 1xx are files of a conversation (a user's or a
/// group's chat); 2xx are a group's shared files, which land in the group's tree (OneBot's group files).
enum FileType: Int, Sendable, CaseIterable {
    case file = 100
    case voiceAMR = 101
    case image = 102
    case video = 103
    case voiceMP3 = 104
    case sharedFile = 200
    case sharedVoice = 201
    case sharedImage = 202
    case sharedVideo = 203

    var isShared: Bool { rawValue >= 200 }

    /// What it holds, whichever of the two families.
    enum Kind { case file, voice, image, video }

    var kind: Kind {
        switch self {
        case .file, .sharedFile: .file
        case .voiceAMR, .voiceMP3, .sharedVoice: .voice
        case .image, .sharedImage: .image
        case .video, .sharedVideo: .video
        }
    }

    /// The largest file of this type a ticket allows.
    func maxBytes(_ settings: QiniuSettings) -> Int64 {
        switch kind {
        case .file: settings.fileMaxBytes
        case .voice: settings.voiceMaxBytes
        case .image: settings.imageMaxBytes
        case .video: settings.videoMaxBytes
        }
    }

    /// The name a stored file gets when the upload names none.
    var defaultName: String {
        switch self {
        case .file, .sharedFile: "file"
        case .voiceAMR, .sharedVoice: "voice.amr"
        case .voiceMP3: "voice.mp3"
        case .image, .sharedImage: "image"
        case .video, .sharedVideo: "video"
        }
    }
}
