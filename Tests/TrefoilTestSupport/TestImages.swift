/// Image bytes made by hand, for the tests of every target that reads images.

/// A PNG whose header claims `width` × `height` RGBA pixels and whose only IDAT holds a few dozen zero bytes: the
/// shape of a decompression bomb (a real one's IDAT inflates to the whole image).
public func pngBomb(width: UInt32, height: UInt32) -> [UInt8] {
    func bigEndian(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
    }
    // 8-bit RGBA (colour type 6), deflate, adaptive filtering, no interlace.
    let header = bigEndian(width) + bigEndian(height) + [8, 6, 0, 0, 0]
    // A zlib stream of one stored deflate block of 64 zero bytes; its Adler-32 is (64 << 16) | 1.
    let zeros = [UInt8](repeating: 0, count: 64)
    let idat: [UInt8] = [0x78, 0x01, 0x01, 64, 0, 0xBF, 0xFF] + zeros + bigEndian(64 << 16 | 1)
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", idat)
        + chunk("IEND", [])
}

/// CRC-32 as PNG chunks use it (ISO 3309, reflected, polynomial 0xEDB88320).
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
