import Foundation
import Testing
import TrefoilMedia
import TrefoilTestSupport

@Suite("Bad input")
struct BadInputTests {
    let directory = makeTempDirectory(prefix: "trefoil-media")

    @Test(
        "a file that is no media is not media, for a cover and for a voice",
        arguments: [("notes.txt", Array("hello, this is not a video\n".utf8)), ("empty", [])])
    func notMedia(name: String, bytes: [UInt8]) async throws {
        let path = "\(directory)/\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        await expectNotMedia(cover: path)
        await expectNotMedia(voice: path)
    }

    @Test("a video asked for a voice, and a sound asked for a cover, are not media")
    func wrongKind() async throws {
        let video = "\(directory)/clip.mp4"
        try await makeVideo(at: video)
        await expectNotMedia(voice: video)
        let sound = "\(directory)/tone.mp3"
        try await makeTone(at: sound)
        await expectNotMedia(cover: sound)
    }

    @Test(
        "a playlist or a concat list naming another file of the machine is not read",
        arguments: [
            ("playlist.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nclip.mp4\n#EXT-X-ENDLIST\n"),
            ("list.ffconcat", "ffconcat version 1.0\nfile clip.mp4\n"),
        ])
    func playlistsRefused(name: String, text: String) async throws {
        try await makeVideo(at: "\(directory)/clip.mp4")
        let path = "\(directory)/\(name)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        await expectNotMedia(cover: path)
    }

    @Test("a FIFO or a directory fails at once, without starting ffmpeg")
    func notARegularFile() async throws {
        let fifo = "\(directory)/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [fifo, directory] {
            await #expect(throws: MediaError.failed("\(path) is not a regular file")) {
                try await MediaTool().videoCover(source: path, output: "\(directory)/cover.jpg")
            }
            await #expect(throws: MediaError.failed("\(path) is not a regular file")) {
                try await MediaTool().transcodeVoice(source: path, to: .amr, output: "\(directory)/voice.amr")
            }
        }
    }

    @Test("a missing source fails and names the reason")
    func missingSource() async throws {
        let path = "\(directory)/absent.mp4"
        await #expect(throws: MediaError.failed("cannot open \(path): No such file or directory")) {
            try await MediaTool().videoCover(source: path, output: "\(directory)/cover.jpg")
        }
    }

    private func expectNotMedia(cover source: String, sourceLocation: SourceLocation = #_sourceLocation) async {
        let output = "\(directory)/cover.jpg"
        await #expect(throws: MediaError.notMedia, sourceLocation: sourceLocation) {
            try await MediaTool().videoCover(source: source, output: output)
        }
        #expect(!FileManager.default.fileExists(atPath: output), sourceLocation: sourceLocation)
    }

    private func expectNotMedia(voice source: String, sourceLocation: SourceLocation = #_sourceLocation) async {
        for format in VoiceFormat.allCases {
            let output = "\(directory)/voice.\(format)"
            await #expect(throws: MediaError.notMedia, sourceLocation: sourceLocation) {
                try await MediaTool().transcodeVoice(source: source, to: format, output: output)
            }
            #expect(!FileManager.default.fileExists(atPath: output), sourceLocation: sourceLocation)
        }
    }
}
