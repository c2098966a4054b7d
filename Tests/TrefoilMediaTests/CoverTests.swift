import Foundation
import Testing
import TrefoilMedia
import TrefoilTestSupport

@Suite("Video covers")
struct CoverTests {
    let directory = makeTempDirectory(prefix: "trefoil-media")

    @Test(
        "a video's cover is a JPEG of the video's size",
        arguments: [("clip.mp4", "libx264"), ("clip.avi", "mpeg4")])
    func coverIsJPEG(name: String, codec: String) async throws {
        let source = "\(directory)/\(name)"
        try await makeVideo(at: source, codec: codec)
        let output = "\(directory)/cover.jpg"
        #expect(try await MediaTool().videoCover(source: source, output: output) == "image/jpeg")
        let bytes = try #require(readFile(output))
        #expect(Array(bytes.prefix(3)) == [0xFF, 0xD8, 0xFF])
        let probe = try await Probe(output)
        #expect(probe.codec == "mjpeg")
        #expect((probe.width, probe.height) == (320, 240))
    }

    @Test(
        "the cover is the frame at 0.5 s, or the first frame of a clip shorter than that",
        // The clips are black before 0.5 s and white from then on.
        arguments: [(1.0, "white"), (0.3, "black")])
    func frameChosen(duration: Double, expected: String) async throws {
        let source = "\(directory)/black-then-white.mp4"
        try await makeBlackThenWhite(at: source, duration: duration)
        let output = "\(directory)/cover.jpg"
        _ = try await MediaTool().videoCover(source: source, output: output)
        let brightness = try await meanBrightness(output)
        #expect(expected == "white" ? brightness > 200 : brightness < 50, "mean brightness \(brightness)")
    }

    @Test("a path holding ':', ',' or '%d' is one file, not a protocol or a numbered sequence")
    func oddPaths() async throws {
        let source = "\(directory)/a:b,%d.mp4"
        try await makeVideo(at: source)
        let output = "\(directory)/cover:%03d.jpg"
        _ = try await MediaTool().videoCover(source: source, output: output)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["a:b,%d.mp4", "cover:%03d.jpg"])
    }
}
