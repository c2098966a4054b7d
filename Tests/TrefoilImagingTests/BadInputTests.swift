import Foundation
import Testing
import TrefoilImaging
import TrefoilTestSupport

@Suite("Bad input")
struct BadInputTests {
    let directory = makeTempDirectory(prefix: "trefoil-imaging")

    @Test(
        "a file that is not a JPEG, PNG, GIF or WebP is not an image",
        arguments: [("text", Array("hello, this is not a picture\n".utf8)), ("empty", [])])
    func notAnImage(name: String, bytes: [UInt8]) async throws {
        let path = "\(directory)/\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        await expectNotAnImage(path)
    }

    @Test("a TIFF, which libvips could read, is not an image Trefoil reads")
    func tiffRefused() async throws {
        let path = "\(directory)/image.tif"
        try TestImage(width: 64, height: 64, bands: 3, pixels: photoPixels(width: 64, height: 64))
            .save("tiffsave", to: path)
        await expectNotAnImage(path)
    }

    @Test("a truncated JPEG fails instead of coming out padded with grey")
    func truncatedJPEG() async throws {
        let whole = "\(directory)/whole.jpg"
        try writeJPEG(width: 1600, height: 1200, to: whole)
        let bytes = try #require(readFile(whole))
        let path = "\(directory)/truncated.jpg"
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: path))
        // The header is intact: only decoding finds the damage.
        #expect(try await Thumbnailer().probe(path: path).format == .jpeg)
        // libvips' explanation is not checked: its error buffer is shared by every thread in the process.
        await #expect {
            try await Thumbnailer().thumbnail(path: path, width: 170, height: 170)
        } throws: { error in
            guard case .failed = error as? ImagingError else { return false }
            return true
        }
    }

    @Test("a missing file fails and names the reason")
    func missingFile() async throws {
        let path = "\(directory)/absent.jpg"
        await #expect(throws: ImagingError.failed("cannot open \(path): No such file or directory")) {
            try await Thumbnailer().thumbnail(path: path, width: 170, height: 170)
        }
    }

    @Test("a FIFO or a directory fails at once, without waiting for a writer")
    func notARegularFile() async throws {
        let fifo = "\(directory)/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [fifo, directory] {
            await #expect(throws: ImagingError.failed("\(path) is not a regular file")) {
                try await Thumbnailer().thumbnail(path: path, width: 170, height: 170)
            }
        }
    }

    @Test("a box with a side under one pixel fails", arguments: [(0, 170), (170, 0), (-1, -1)])
    func emptyBox(width: Int, height: Int) async throws {
        let path = "\(directory)/photo.jpg"
        try writeJPEG(width: 100, height: 100, to: path)
        await #expect(
            throws: ImagingError.failed("a thumbnail must be at least 1 × 1 pixels, not \(width) × \(height)")
        ) { try await Thumbnailer().thumbnail(path: path, width: width, height: height) }
    }

    @Test("a path ending in brackets is a file name, not libvips load options")
    func bracketsInPath() async throws {
        let path = "\(directory)/photo.jpg[shrink=8]"
        try writeJPEG(width: 200, height: 100, to: path)
        #expect(
            try await Thumbnailer().probe(path: path)
                == ImageInfo(width: 200, height: 100, format: .jpeg, hasAlpha: false))
    }

    /// Both calls refuse the file at `path` as not an image.
    private func expectNotAnImage(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) async {
        await #expect(throws: ImagingError.notAnImage, sourceLocation: sourceLocation) {
            try await Thumbnailer().probe(path: path)
        }
        await #expect(throws: ImagingError.notAnImage, sourceLocation: sourceLocation) {
            try await Thumbnailer().thumbnail(path: path, width: 170, height: 170)
        }
    }
}
