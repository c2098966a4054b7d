import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension MediaTool {
    /// The voice format of the file at `path` from its first bytes (AMR: "#!AMR\n"; MP3: "ID3", or the header of an
    /// MPEG layer III frame), or nil: another format, too short, unreadable or not a regular file.
    public static func voiceFormat(ofFileAt path: String) -> VoiceFormat? {
        // Non-blocking, so that a FIFO at the path is refused instead of waited on.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: 6)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return voiceFormat(of: bytes.prefix(count))
    }

    static func voiceFormat(of head: ArraySlice<UInt8>) -> VoiceFormat? {
        if head.elementsEqual("#!AMR\n".utf8) { return .amr }
        if head.starts(with: "ID3".utf8) { return .mp3 }
        return isMP3FrameHeader(head) ? .mp3 : nil
    }

    /// An MPEG audio frame header of layer III: 11 sync bits, a version that is not reserved, layer bits 01, and a
    /// bitrate and sample rate that are not reserved. AAC's ADTS header has the same sync but layer bits 00.
    private static func isMP3FrameHeader(_ head: ArraySlice<UInt8>) -> Bool {
        let bytes = Array(head)
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] & 0xE0 == 0xE0 else { return false }
        let version = (bytes[1] >> 3) & 0b11
        let layer = (bytes[1] >> 1) & 0b11
        let bitrate = bytes[2] >> 4
        let sampleRate = (bytes[2] >> 2) & 0b11
        return version != 0b01 && layer == 0b01 && bitrate != 0b1111 && sampleRate != 0b11
    }
}
