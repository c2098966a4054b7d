import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A WebSocket client that upgrades, sends, and never reads: the bot that floods requests and does
/// not take its answers.
final class SilentWebSocket: Sendable {
    private let fd: Int32

    /// Connects to 127.0.0.1:`port`, upgrades `path`, and reads nothing after the 101 answer.
    init(port: Int, path: String) throws {
        fd = try loopbackSocket(port: port)
        let upgrade = Array(
            ("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
        var head: [UInt8] = []
        var byte: UInt8 = 0
        // A throw from here on closes `fd` in deinit (it runs once every property is set).
        guard send(fd, upgrade, upgrade.count, 0) == upgrade.count else {
            throw LiveServerError(description: "the upgrade request was not sent whole")
        }
        // One byte at a time, so that nothing after the 101 answer's blank line is read.
        while !head.ends(with: Array("\r\n\r\n".utf8)), recv(fd, &byte, 1, 0) == 1 { head.append(byte) }
        guard String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
            throw LiveServerError(description: "no upgrade: \(String(decoding: head, as: UTF8.self))")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(fd) }

    /// Drops the connection at once, unread answers and all.
    func disconnect() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// Sends `texts` as masked text frames for up to `seconds`, waiting while the socket is full;
    /// returns how many frames went out whole.
    func flood(_ texts: [String], seconds: Double) -> Int {
        var frames: [UInt8] = []
        var ends: [Int] = []
        for text in texts {
            let payload = Array(text.utf8)
            frames.append(0x81)
            if payload.count < 126 {
                frames.append(0x80 | UInt8(payload.count))
            } else {
                frames += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
            }
            frames += [0, 0, 0, 0]  // a zero mask leaves the payload as it is
            frames += payload
            ends.append(frames.count)
        }
        var sent = 0
        let deadline = Date().addingTimeInterval(seconds)
        while sent < frames.count, Date() < deadline {
            let count = frames.withUnsafeBufferPointer { send(fd, $0.baseAddress! + sent, frames.count - sent, 0) }
            if count > 0 {
                sent += count
            } else {
                usleep(10_000)
            }
        }
        return ends.filter { $0 <= sent }.count
    }
}

extension Array where Element: Equatable {
    func ends(with suffix: [Element]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
