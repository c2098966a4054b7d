import Foundation
import Testing
import TrefoilTestSupport

/// Real images for the tests, made by libvips's command-line tool in a temp directory.
enum TestImages {
    /// A greyscale JPEG of noise (noise keeps it well over 10 KB at any useful size).
    static func jpeg(width: Int, height: Int) async throws -> [UInt8] {
        try await make("jpg") { path in [["gaussnoise", path, "\(width)", "\(height)"]] }
    }

    /// An RGBA PNG of noise: four bands, the fourth an alpha channel.
    static func pngWithAlpha(width: Int, height: Int) async throws -> [UInt8] {
        try await make("png") { path in
            let noise = path + ".v"
            return [
                ["gaussnoise", noise, "\(width)", "\(height)"],
                ["bandjoin", "\(noise) \(noise) \(noise) \(noise)", path],
            ]
        }
    }

    /// A small black PNG: a few hundred bytes.
    static func tinyPNG(width: Int = 64, height: Int = 48) async throws -> [UInt8] {
        try await make("png") { path in [["black", path, "\(width)", "\(height)"]] }
    }

    /// The width and height a PNG's header gives, or a JPEG's first frame header.
    static func dimensions(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), bytes.count >= 24 {
            return (Int(readBigEndian(bytes, 16)), Int(readBigEndian(bytes, 20)))
        }
        guard bytes.starts(with: [0xFF, 0xD8]) else { return nil }
        var index = 2
        while index + 9 < bytes.count {
            guard bytes[index] == 0xFF else { return nil }
            let marker = bytes[index + 1]
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            if (0xC0...0xCF).contains(marker), marker != 0xC4, marker != 0xC8, marker != 0xCC {
                let height = Int(bytes[index + 5]) << 8 | Int(bytes[index + 6])
                let width = Int(bytes[index + 7]) << 8 | Int(bytes[index + 8])
                return (width, height)
            }
            index += 2 + length
        }
        return nil
    }

    private static func make(_ suffix: String, _ commands: (String) -> [[String]]) async throws -> [UInt8] {
        let directory = makeTempDirectory(prefix: "trefoil-images")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/image." + suffix
        for arguments in commands(path) {
            let run = try await e2eRun(
                "/usr/bin/vips", arguments, environment: e2eCleanEnvironment(), timeout: .seconds(60))
            #expect(run.status == 0, "vips \(arguments): \(run.errors)")
        }
        return try #require(readFile(path))
    }

    private static func readBigEndian(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

}
