import Foundation
import Testing
import TrefoilMedia
import TrefoilTestSupport

@Suite("Voice transcoding")
struct VoiceTests {
    let directory = makeTempDirectory(prefix: "trefoil-media")

    @Test("MP3 to AMR-NB and back keeps about a second of sound")
    func roundTrip() async throws {
        let mp3 = "\(directory)/tone.mp3"
        try await makeTone(at: mp3)
        let amr = "\(directory)/voice.amr"
        let tool = MediaTool()
        #expect(try await tool.transcodeVoice(source: mp3, to: .amr, output: amr) == "audio/amr")
        #expect(try #require(readFile(amr)).starts(with: Array("#!AMR\n".utf8)))
        let amrProbe = try await Probe(amr)
        #expect(amrProbe.codec == "amr_nb")
        #expect((amrProbe.sampleRate, amrProbe.channels) == (8000, 1))
        #expect(abs(try #require(amrProbe.duration) - 1) < 0.3)

        let back = "\(directory)/back.mp3"
        #expect(try await tool.transcodeVoice(source: amr, to: .mp3, output: back) == "audio/mpeg")
        #expect(MediaTool.voiceFormat(ofFileAt: back) == .mp3)
        let mp3Probe = try await Probe(back)
        #expect(mp3Probe.codec == "mp3")
        #expect(mp3Probe.channels == 1)
        // MP3 frames of 72 ms at 8 kHz, plus the encoder's padding.
        #expect(abs(try #require(mp3Probe.duration) - 1) < 0.3)
    }

    @Test("the MP3 is mono at 64 kbit/s, from a stereo source too")
    func mp3Encoding() async throws {
        let wav = "\(directory)/stereo.wav"
        try await makeTone(at: wav, ["-ac", "2"])
        let mp3 = "\(directory)/voice.mp3"
        _ = try await MediaTool().transcodeVoice(source: wav, to: .mp3, output: mp3)
        let probe = try await Probe(mp3)
        #expect((probe.codec, probe.channels) == ("mp3", 1))
        // Constant 64 kbit/s: 8 KB a second, give or take a frame and the tags.
        let size = try #require(readFile(mp3)).count
        #expect((7_000...10_000).contains(size), "\(size) bytes")
    }

    @Test(
        "the voice format is read from the first bytes",
        arguments: [
            ("amr", [], VoiceFormat.amr), ("mp3", [], .mp3),
            // No ID3 tag: the file starts with a frame header.
            ("mp3", ["-id3v2_version", "0", "-write_xing", "0"], .mp3),
            ("wav", [], nil), ("m4a", [], nil),
        ])
    func formatFromBytes(suffix: String, arguments: [String], expected: VoiceFormat?) async throws {
        let path = "\(directory)/tone.\(suffix)"
        let encoding = suffix == "amr" ? ["-c:a", "libopencore_amrnb", "-ar", "8000"] : []
        try await makeTone(at: path, encoding + arguments)
        #expect(MediaTool.voiceFormat(ofFileAt: path) == expected)
    }

    @Test(
        "bytes that are not AMR-NB or MP3 have no voice format",
        arguments: [
            ("text", Array("hello, this is not a voice\n".utf8)), ("empty", []),
            ("AMR-WB", Array("#!AMR-WB\n".utf8)),
            // AAC's ADTS header: the same sync bits as MP3, layer 00.
            ("ADTS", [0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F]),
            // An MPEG layer II frame header.
            ("MP2", [0xFF, 0xFD, 0x90, 0x04, 0x00, 0x00]),
            ("half a tag", Array("ID".utf8)),
        ])
    func noFormat(name: String, bytes: [UInt8]) throws {
        let path = "\(directory)/\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(MediaTool.voiceFormat(ofFileAt: path) == nil)
    }

    @Test("a FIFO, a directory or a missing file has no voice format, at once")
    func notARegularFile() throws {
        let fifo = "\(directory)/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [fifo, directory, "\(directory)/absent"] { #expect(MediaTool.voiceFormat(ofFileAt: path) == nil) }
    }
}
