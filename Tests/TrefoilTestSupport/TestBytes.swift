import Crypto

/// Deterministic pseudo-random bytes (xorshift64, eight bytes a step), so a corrupted or reordered copy cannot
/// match the original by accident and a failure can be replayed. Different seeds give different bytes (tests that
/// count blobs rely on it: equal bytes would be stored once).
public func pseudoRandomBytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    // Spread the seed over the word (and never zero, where xorshift stays), so seeds 2 and 3 do not start alike.
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var bytes = [UInt8]()
    bytes.reserveCapacity(count)
    while bytes.count < count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        withUnsafeBytes(of: state) { bytes.append(contentsOf: $0.prefix(count - bytes.count)) }
    }
    return bytes
}

/// Lowercase hex SHA-256 of `bytes`, as the store and every face write it.
public func sha256Hex(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

/// Lowercase hex MD5 of `bytes`.
public func md5Hex(_ bytes: [UInt8]) -> String { hex(Insecure.MD5.hash(data: bytes)) }

/// Lowercase hex SHA-1 of `bytes`.
public func sha1Hex(_ bytes: [UInt8]) -> String { hex(Insecure.SHA1.hash(data: bytes)) }

private func hex(_ digest: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    for byte in digest {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
}
