import Foundation
import Testing
import TrefoilImaging
import TrefoilTestSupport

@Suite("Pixel bound")
struct PixelBoundTests {
    let directory = makeTempDirectory(prefix: "trefoil-imaging")

    @Test("a PNG claiming 50,000 × 50,000 pixels is refused from its header, at once and without memory")
    func decompressionBomb() async throws {
        let path = "\(directory)/bomb.png"
        try Data(pngBomb(width: 50_000, height: 50_000)).write(to: URL(fileURLWithPath: path))
        // The header may be read: that is how the bomb is recognised.
        #expect(
            try await Thumbnailer().probe(path: path)
                == ImageInfo(width: 50_000, height: 50_000, format: .png, hasAlpha: true))

        // Measured in a process of its own: the tests running beside this one allocate tens of megabytes at times
        // (this process grew by 82 MB over these calls once).
        await #expect(processExitsWith: .success) { [path = path as String] in
            let thumbnailer = Thumbnailer()
            // Starts libvips, whose own start-up memory is not the bomb's.
            _ = try await thumbnailer.probe(path: path)
            let residentBefore = try residentBytes()
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<5 {
                await #expect(throws: ImagingError.tooManyPixels(width: 50_000, height: 50_000)) {
                    try await thumbnailer.thumbnail(path: path, width: 170, height: 170)
                }
            }
            // Without the pixel bound the resident set grew by 118-138 MB (libvips decoded what the header claimed
            // until the data ran out). Refusing takes milliseconds; the time bound allows for a loaded machine.
            #expect(clock.now - start < .seconds(5))
            let growth = try residentBytes() - residentBefore
            #expect(growth < 8 << 20, "resident set grew by \(growth) bytes")
        }
    }

    @Test("an image of exactly the bound is thumbnailed; one pixel fewer allowed refuses it")
    func boundIsInclusive() async throws {
        let path = "\(directory)/photo.jpg"
        try writeJPEG(width: 100, height: 50, to: path)
        let atBound = Thumbnailer(limits: ImageLimits(maxPixels: 5_000))
        #expect(try await atBound.thumbnail(path: path, width: 170, height: 170).width == 100)
        let under = Thumbnailer(limits: ImageLimits(maxPixels: 4_999))
        await #expect(throws: ImagingError.tooManyPixels(width: 100, height: 50)) {
            try await under.thumbnail(path: path, width: 170, height: 170)
        }
    }

    @Test("only the first frame of an animation counts toward the bound: only it is decoded")
    func firstFrameCounts() async throws {
        // Three 40 × 30 frames: 1,200 pixels in the one that is decoded.
        let frames = solidPixels(width: 40, height: 90, color: [200, 100, 0, 255])
        let path = "\(directory)/three-frames.gif"
        try TestImage(width: 40, height: 90, bands: 4, pixels: frames, pageHeight: 30).save("gifsave", to: path)
        let oneFrame = Thumbnailer(limits: ImageLimits(maxPixels: 1_200))
        #expect(try await oneFrame.thumbnail(path: path, width: 170, height: 170).height == 30)
        let onePixelLess = Thumbnailer(limits: ImageLimits(maxPixels: 1_199))
        await #expect(throws: ImagingError.tooManyPixels(width: 40, height: 30)) {
            try await onePixelLess.thumbnail(path: path, width: 170, height: 170)
        }
    }
}
