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

    /// A PNG that claims 50,000 × 50,000 pixels of RGBA (10 GB decoded) and holds almost nothing: a decompression
    /// bomb's header with one compressed row behind it.
    static func bombPNG(side: UInt32 = 50_000) -> [UInt8] {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
        }
        let header = bigEndian(side) + bigEndian(side) + [8, 6, 0, 0, 0]
        // zlib: a stored block holding one filter byte and a few zero pixels; the rest of the image is missing.
        let row: [UInt8] = [0] + Array(repeating: 0, count: 16)
        let stored: [UInt8] =
            [0x78, 0x01, 0x01] + [UInt8(row.count & 0xFF), UInt8(row.count >> 8)]
            + [UInt8(~row.count & 0xFF), UInt8((~row.count >> 8) & 0xFF)] + row + [0, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", stored)
            + chunk("IEND", [])
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

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func readBigEndian(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
