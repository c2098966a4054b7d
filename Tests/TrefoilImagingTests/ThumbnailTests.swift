import Foundation
import Testing
import TrefoilImaging
import TrefoilTestSupport

@Suite("Thumbnails")
struct ThumbnailTests {
    let directory = makeTempDirectory(prefix: "trefoil-imaging")

    @Test(
        "an image is scaled to fit the box with its aspect ratio kept",
        arguments: [
            (1000, 500, 170, 170, 170, 85), (500, 1000, 170, 170, 85, 170), (1200, 900, 200, 100, 133, 100),
            // 12 megapixels, as a phone takes them.
            (4000, 3000, 170, 170, 170, 127),
        ])
    func fitsTheBox(width: Int, height: Int, boxWidth: Int, boxHeight: Int, expectedWidth: Int, expectedHeight: Int)
        async throws
    {
        let path = "\(directory)/photo.jpg"
        try writeJPEG(width: width, height: height, to: path)
        let thumbnail = try await Thumbnailer().thumbnail(path: path, width: boxWidth, height: boxHeight)
        #expect((thumbnail.width, thumbnail.height) == (expectedWidth, expectedHeight))
        #expect(thumbnail.mediaType == "image/jpeg")
        #expect(Array(thumbnail.bytes.prefix(3)) == [0xFF, 0xD8, 0xFF])
        let decoded = try DecodedImage(thumbnail.bytes, in: directory)
        #expect((decoded.width, decoded.height, decoded.bands) == (expectedWidth, expectedHeight, 3))
    }

    @Test("an image smaller than the box keeps its size")
    func neverUpscaled() async throws {
        let path = "\(directory)/small.jpg"
        try writeJPEG(width: 120, height: 80, to: path)
        let thumbnail = try await Thumbnailer().thumbnail(path: path, width: 170, height: 170)
        #expect((thumbnail.width, thumbnail.height) == (120, 80))
        let decoded = try DecodedImage(thumbnail.bytes, in: directory)
        #expect((decoded.width, decoded.height) == (120, 80))
    }

    @Test("a PNG with transparency comes out as a PNG that keeps it")
    func alphaStaysPNG() async throws {
        // Left half fully transparent, right half opaque green.
        let (width, height) = (400, 200)
        var pixels: [UInt8] = []
        for _ in 0..<height {
            for x in 0..<width { pixels += x < width / 2 ? [0, 0, 0, 0] : [0, 200, 0, 255] }
        }
        let path = "\(directory)/alpha.png"
        try TestImage(width: width, height: height, bands: 4, pixels: pixels).save("pngsave", to: path)
        let thumbnail = try await Thumbnailer().thumbnail(path: path, width: 170, height: 170)
        #expect(thumbnail.mediaType == "image/png")
        #expect(Array(thumbnail.bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let decoded = try DecodedImage(thumbnail.bytes, in: directory)
        #expect((decoded.width, decoded.height) == (170, 85))
        try #require(decoded.bands == 4)
        #expect(decoded.pixel(10, 40)[3] == 0)
        #expect(decoded.pixel(160, 40) == [0, 200, 0, 255])
    }

    @Test("an opaque PNG and a WebP come out as JPEG", arguments: [("pngsave", "png"), ("webpsave", "webp")])
    func opaqueBecomesJPEG(saver: String, suffix: String) async throws {
        let path = "\(directory)/opaque.\(suffix)"
        try TestImage(width: 600, height: 300, bands: 3, pixels: photoPixels(width: 600, height: 300))
            .save(saver, to: path)
        let thumbnail = try await Thumbnailer().thumbnail(path: path, width: 170, height: 170)
        #expect(thumbnail.mediaType == "image/jpeg")
        #expect(Array(thumbnail.bytes.prefix(3)) == [0xFF, 0xD8, 0xFF])
        #expect((thumbnail.width, thumbnail.height) == (170, 85))
    }

    @Test("an animated GIF's thumbnail is its first frame")
    func gifFirstFrame() async throws {
        let (width, height) = (300, 200)
        let red = solidPixels(width: width, height: height, color: [255, 0, 0, 255])
        let blue = solidPixels(width: width, height: height, color: [0, 0, 255, 255])
        let path = "\(directory)/two-frames.gif"
        try TestImage(width: width, height: height * 2, bands: 4, pixels: red + blue, pageHeight: height)
            .save("gifsave", to: path)
        let thumbnail = try await Thumbnailer().thumbnail(path: path, width: 170, height: 170)
        // libvips decodes every GIF with an alpha channel, so its thumbnail is a PNG.
        #expect(thumbnail.mediaType == "image/png")
        #expect((thumbnail.width, thumbnail.height) == (170, 113))
        let decoded = try DecodedImage(thumbnail.bytes, in: directory)
        #expect((decoded.width, decoded.height) == (170, 113))
        for (x, y) in [(0, 0), (85, 56), (169, 112)] {
            #expect(decoded.pixel(x, y) == [255, 0, 0, 255])
        }
    }

    @Test("a thumbnail carries none of the source's metadata")
    func metadataStripped() async throws {
        let path = "\(directory)/tagged.jpg"
        let image = TestImage(width: 400, height: 300, bands: 3, pixels: photoPixels(width: 400, height: 300))
        image.setString("exif-ifd0-Artist", "Trefoil Test Artist")
        try image.save("jpegsave", to: path)
        let source = try #require(readFile(path))
        #expect(source.firstRange(of: Array("Trefoil Test Artist".utf8)) != nil)
        let thumbnail = try await Thumbnailer().thumbnail(path: path, width: 170, height: 170)
        #expect(thumbnail.bytes.firstRange(of: Array("Trefoil Test Artist".utf8)) == nil)
        #expect(thumbnail.bytes.firstRange(of: Array("Exif".utf8)) == nil)
    }

    @Test("thumbnails made at once each come out whole and of their own size")
    func concurrent() async throws {
        // 400 wide and 100 to 320 high: 100 × 25 to 100 × 80 in a 100 × 100 box, each its own size.
        let heights = (0..<12).map { 100 + 20 * $0 }
        for (index, height) in heights.enumerated() {
            try writeJPEG(width: 400, height: height, to: "\(directory)/\(index).jpg")
        }
        let thumbnailer = Thumbnailer(concurrency: 2)
        let results = try await withThrowingTaskGroup(of: (Int, Thumbnail).self) { group in
            for index in heights.indices {
                group.addTask {
                    (index, try await thumbnailer.thumbnail(path: "\(directory)/\(index).jpg", width: 100, height: 100))
                }
            }
            return try await group.reduce(into: [Int: Thumbnail]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == heights.count)
        for (index, height) in heights.enumerated() {
            let thumbnail = try #require(results[index])
            #expect((thumbnail.width, thumbnail.height) == (100, height / 4), "image \(index)")
            let decoded = try DecodedImage(thumbnail.bytes, in: directory)
            #expect((decoded.width, decoded.height) == (100, height / 4), "image \(index)")
        }
    }
}
