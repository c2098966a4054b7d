import Testing
import TrefoilImaging
import TrefoilTestSupport

@Suite("Probe")
struct ProbeTests {
    let directory = makeTempDirectory(prefix: "trefoil-imaging")

    @Test(
        "probe reads size, format and alpha from the header",
        arguments: [
            ("jpegsave", 3, ImageInfo(width: 640, height: 480, format: .jpeg, hasAlpha: false)),
            ("pngsave", 3, ImageInfo(width: 640, height: 480, format: .png, hasAlpha: false)),
            ("pngsave", 4, ImageInfo(width: 640, height: 480, format: .png, hasAlpha: true)),
            ("webpsave", 3, ImageInfo(width: 640, height: 480, format: .webp, hasAlpha: false)),
            ("webpsave", 4, ImageInfo(width: 640, height: 480, format: .webp, hasAlpha: true)),
            // libvips decodes every GIF with an alpha channel.
            ("gifsave", 3, ImageInfo(width: 640, height: 480, format: .gif, hasAlpha: true)),
        ])
    func probe(saver: String, bands: Int, expected: ImageInfo) async throws {
        // Half transparent where there is an alpha band, so that savers keep it.
        let pixels = (0..<640 * 480).flatMap { index -> [UInt8] in
            bands == 4 ? [90, 120, 200, index % 640 < 320 ? 0 : 255] : [90, 120, 200]
        }
        // The name's suffix says nothing: libvips identifies the file by its bytes.
        let path = "\(directory)/image.bin"
        try TestImage(width: 640, height: 480, bands: bands, pixels: pixels).save(saver, to: path)
        #expect(try await Thumbnailer().probe(path: path) == expected)
    }

    @Test("probe gives an animation's frame size")
    func animationFrame() async throws {
        let frames = solidPixels(width: 64, height: 48 * 3, color: [10, 20, 30, 255])
        let path = "\(directory)/three-frames.gif"
        try TestImage(width: 64, height: 48 * 3, bands: 4, pixels: frames, pageHeight: 48).save("gifsave", to: path)
        #expect(
            try await Thumbnailer().probe(path: path) == ImageInfo(width: 64, height: 48, format: .gif, hasAlpha: true))
    }
}
