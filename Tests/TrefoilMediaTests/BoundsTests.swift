import Foundation
import Testing
import TrefoilMedia
import TrefoilTestSupport

@Suite("Bounds")
struct BoundsTests {
    let directory = makeTempDirectory(prefix: "trefoil-media")

    @Test("a run still going at the timeout is killed, and nothing of it is left running")
    func timeout() async throws {
        let source = "\(directory)/clip.mp4"
        try await makeVideo(at: source)
        // ffmpeg alone takes longer than this to load.
        let tool = MediaTool(limits: MediaLimits(timeout: .milliseconds(5)))
        let cover = "\(directory)/cover.jpg"
        await #expect(throws: MediaError.timedOut) { try await tool.videoCover(source: source, output: cover) }
        let voice = "\(directory)/voice.amr"
        await #expect(throws: MediaError.timedOut) {
            try await tool.transcodeVoice(source: source, to: .amr, output: voice)
        }
        // The directory's name is unique to this test, and in every command line the runs had.
        #expect(processes(withArgumentContaining: directory) == [])
        #expect(!FileManager.default.fileExists(atPath: cover))
        #expect(!FileManager.default.fileExists(atPath: voice))
    }

    @Test("ffmpeg runs within the memory bound: one too small to load it fails")
    func memoryBound() async throws {
        let source = "\(directory)/tone.mp3"
        try await makeTone(at: source)
        let tool = MediaTool(limits: MediaLimits(maxMemoryBytes: 64 << 20))
        await #expect {
            try await tool.transcodeVoice(source: source, to: .amr, output: "\(directory)/voice.amr")
        } throws: { error in
            guard case .failed(let message) = error as? MediaError else { return false }
            return message.contains("error while loading shared libraries")
        }
    }

    @Test("an output of exactly the bound is kept; one byte over fails and is removed")
    func outputBound() async throws {
        let source = "\(directory)/tone.mp3"
        try await makeTone(at: source)
        let first = "\(directory)/first.amr"
        _ = try await MediaTool().transcodeVoice(source: source, to: .amr, output: first)
        let size = Int64(try #require(readFile(first)).count)

        let atBound = "\(directory)/at-bound.amr"
        _ = try await MediaTool(limits: MediaLimits(maxOutputBytes: size))
            .transcodeVoice(source: source, to: .amr, output: atBound)
        #expect(readFile(atBound) == readFile(first))

        let over = "\(directory)/over.amr"
        await #expect(throws: MediaError.failed("the output would be larger than \(size - 1) bytes")) {
            try await MediaTool(limits: MediaLimits(maxOutputBytes: size - 1))
                .transcodeVoice(source: source, to: .amr, output: over)
        }
        #expect(!FileManager.default.fileExists(atPath: over))
    }

    @Test(
        "without ffmpeg at the configured path the tool is unavailable and says so",
        arguments: ["/nonexistent/ffmpeg", "not-executable", "/usr/bin"])
    func toolMissing(path: String) async throws {
        let notExecutable = "\(directory)/not-executable"
        #expect(FileManager.default.createFile(atPath: notExecutable, contents: Data("#!/bin/sh\n".utf8)))
        let tool = MediaTool(ffmpegPath: path.hasPrefix("/") ? path : notExecutable)
        #expect(!tool.isAvailable)
        let source = "\(directory)/clip.mp4"
        try await makeVideo(at: source)
        await #expect(throws: MediaError.toolMissing) {
            try await tool.videoCover(source: source, output: "\(directory)/cover.jpg")
        }
        await #expect(throws: MediaError.toolMissing) {
            try await tool.transcodeVoice(source: source, to: .mp3, output: "\(directory)/voice.mp3")
        }
    }

    @Test("ffmpeg on PATH is found")
    func foundOnPath() {
        #expect(MediaTool().isAvailable)
    }
}
