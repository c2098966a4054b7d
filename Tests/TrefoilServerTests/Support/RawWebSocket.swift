import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A WebSocket client written by hand on a blocking socket, for the handshakes and frames that a real client
/// will not send: odd `Upgrade` headers, text that is not UTF-8, a message in fragments. Every read gives up
/// after 10 s, so that a server that never answers fails the test instead of hanging it.
final class RawWebSocket: Sendable {
    let fd: Int32

    /// The status code and head of the answer to a handshake.
    struct Answer: Sendable {
        let status: Int
        let head: String

        /// The value of the `name` header (the first, compared without case).
        func header(_ name: String) -> String? {
            for line in head.split(separator: "\r\n").dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    /// A frame from the server (servers do not mask).
    struct Frame: Sendable {
        let opcode: UInt8
        let payload: [UInt8]

        /// The status code of a close frame.
        var closeCode: Int? {
            opcode == 0x8 && payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
        }
    }

    /// Connects to 127.0.0.1:`port`.
    init(port: Int) throws {
        fd = try loopbackSocket(port: port)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// A handshake for `target` with `lines` for headers (`Upgrade` among them); Host, Sec-WebSocket-Key and
    /// Sec-WebSocket-Version are added, and `Connection: Upgrade` unless `lines` has a Connection header.
    static func handshake(_ target: String, _ lines: [String]) -> [UInt8] {
        var head = ["GET \(target) HTTP/1.1", "Host: 127.0.0.1"] + lines
        if !lines.contains(where: { $0.lowercased().hasPrefix("connection:") }) { head.append("Connection: Upgrade") }
        head += ["Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"]
        return Array((head.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// Sends a handshake (see `handshake(_:_:)`) and reads the answer's head, and nothing after it.
    func upgrade(_ target: String, _ lines: [String]) throws -> Answer {
        try send(Self.handshake(target, lines))
        return try readHead()
    }

    /// Reads up to the blank line that ends an HTTP head, one byte at a time so that nothing after it is read.
    func readHead() throws -> Answer {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.ends(with: Array("\r\n\r\n".utf8)) {
            guard recv(fd, &byte, 1, 0) == 1 else {
                throw LiveServerError(description: "no whole answer head: \(String(decoding: head, as: UTF8.self))")
            }
            head.append(byte)
        }
        let text = String(decoding: head, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        return Answer(status: status, head: text)
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            // MSG_NOSIGNAL: a server that has closed the connection fails the send, not the whole test run.
            let count = bytes.withUnsafeBufferPointer {
                Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { throw LiveServerError(description: "send() failed: errno \(errno)") }
            sent += count
        }
    }

    /// Sends one masked frame: text (opcode 1) unless told otherwise, the last of its message unless `fin` is false.
    func sendFrame(_ payload: [UInt8], opcode: UInt8 = 0x1, fin: Bool = true) throws {
        try send(maskedFrame(payload, opcode: opcode, fin: fin))
    }

    /// Reads one frame, or nil when the connection ends (or nothing comes for 10 s) first.
    func readFrame() -> Frame? {
        guard let start = read(2) else { return nil }
        var length = Int(start[1] & 0x7F)
        if length >= 126 {
            guard let extended = read(length == 126 ? 2 : 8) else { return nil }
            length = extended.reduce(0) { $0 << 8 | Int($1) }
        }
        guard let payload = read(length) else { return nil }
        return Frame(opcode: start[0] & 0x0F, payload: payload)
    }

    /// Everything the server sends until it closes the connection (or 10 s pass without a byte).
    func readToEnd() -> [UInt8] { readFromSocket(fd) }

    private func read(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBufferPointer { recv(fd, $0.baseAddress! + filled, count - filled, 0) }
            guard got > 0 else { return nil }
            filled += got
        }
        return bytes
    }
}

/// A client frame carrying `payload`, masked with a zero key (which leaves the payload as it is).
func maskedFrame(_ payload: [UInt8], opcode: UInt8 = 0x1, fin: Bool = true) -> [UInt8] {
    var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
    if payload.count < 126 {
        frame.append(0x80 | UInt8(payload.count))
    } else if payload.count <= 0xFFFF {
        frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    } else {
        frame.append(0x80 | 127)
        frame += (0..<8).reversed().map { UInt8(truncatingIfNeeded: payload.count >> ($0 * 8)) }
    }
    frame += [0, 0, 0, 0]
    return frame + payload
}

extension Array where Element: Equatable {
    func ends(with suffix: [Element]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
