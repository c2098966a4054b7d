import Foundation

/// One forward-WebSocket client connection on a plain blocking socket, for the load scenarios.
///
/// The load shares the machine's two cores with the server it measures, so its own cost shows up
/// in every figure. The NIO-based `WebSocketClient` (one task hop per frame, a `String` per
/// message, a `getrandom` per mask) took 41–45 % of all CPU samples during the metadata run, the
/// server the rest; this one reads and writes frames from one thread with `poll`, in byte buffers
/// it reuses, and took 19 % while the server answered 30–50 % more requests per second (measured
/// in docs/performance.md, "The load client").
///
/// It speaks just what the load needs: the upgrade, masked text frames out, whole unmasked frames
/// in (pings answered, a close ends the connection, a fragmented message fails the run).
final class LoadSocket {
    let fd: Int32
    /// Bytes read: `consumed..<filled` are not parsed yet. Grows when a frame does not fit.
    private var inbox = [UInt8](repeating: 0, count: 1 << 16)
    private var filled = 0
    private var consumed = 0
    private var outbox: [UInt8] = []
    private var maskState: UInt32

    /// Connects to `url` (`ws://127.0.0.1:PORT/PATH`) and completes the upgrade.
    static func open(url: String) throws -> LoadSocket {
        guard let parts = URLComponents(string: url), parts.scheme == "ws", let host = parts.host,
            let port = parts.port
        else { throw BenchError("not a ws:// URL with a port: \(url)") }
        let path = parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw BenchError("connect to \(url): \(reason)")
        }
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        let connection = LoadSocket(fd: fd)  // closes `fd` when dropped, also if the upgrade fails
        let upgrade =
            "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dHJlZm9pbC1iZW5jaC1rZXk=\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try connection.writeAll(Array(upgrade.utf8))
        try connection.readHandshake(url: url)
        return connection
    }

    private init(fd: Int32) {
        self.fd = fd
        maskState = UInt32(truncatingIfNeeded: Int(fd) &* 2_654_435_761) | 1
    }

    deinit { close(fd) }

    /// Sends one masked text frame.
    func send(text: [UInt8]) throws {
        try text.withUnsafeBytes { try send(payload: $0) }
    }

    /// Sends one masked text frame of `text`'s bytes.
    func send(payload text: UnsafeRawBufferPointer) throws {
        outbox.removeAll(keepingCapacity: true)
        outbox.append(0x81)
        switch text.count {
        case ..<126: outbox.append(0x80 | UInt8(text.count))
        case ..<65_536:
            outbox.append(0x80 | 126)
            outbox.append(UInt8(text.count >> 8))
            outbox.append(UInt8(text.count & 0xFF))
        default:
            outbox.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { outbox.append(UInt8((text.count >> shift) & 0xFF)) }
        }
        // xorshift32: the server only needs a key per frame, not an unpredictable one.
        maskState ^= maskState << 13
        maskState ^= maskState >> 17
        maskState ^= maskState << 5
        let key = maskState
        withUnsafeBytes(of: key) { outbox.append(contentsOf: $0) }
        let start = outbox.count
        outbox.append(contentsOf: text)
        // Eight bytes at a time, as a client's C masking does (Python's `websockets`): masking byte by byte (NIO's
        // loop, in the client the fragment rows used before) cost the bench about 8 ms per 4 MiB fragment.
        let word = UInt64(key) | UInt64(key) << 32
        outbox.withUnsafeMutableBytes { bytes in
            let base = bytes.baseAddress! + start
            let count = bytes.count - start
            var offset = 0
            while offset + 8 <= count {
                base.storeBytes(
                    of: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ word, toByteOffset: offset,
                    as: UInt64.self)
                offset += 8
            }
            withUnsafeBytes(of: key) { keyBytes in
                while offset < count {
                    base.storeBytes(
                        of: base.load(fromByteOffset: offset, as: UInt8.self) ^ keyBytes[offset & 3],
                        toByteOffset: offset, as: UInt8.self)
                    offset += 1
                }
            }
        }
        try writeAll(outbox)
    }

    /// Reads what the socket has (blocking until something arrives) and hands every complete data
    /// frame's payload to `handle`. Returns false once the server closed the connection.
    func receive(_ handle: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool {
        guard try fill() else { return false }
        return try receiveBuffered(handle)
    }

    /// Hands the complete frames already read to `handle`, without reading: a server may send its first frame (the
    /// `/event` lifecycle event) together with the upgrade's answer, and `poll` does not report bytes already read.
    /// Returns false once a close frame came.
    func receiveBuffered(_ handle: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool {
        while let frame = nextFrame() {
            switch frame.opcode {
            case 0x1, 0x2:
                guard frame.fin else { throw BenchError("a fragmented message: Trefoil sends each answer whole") }
                try inbox.withUnsafeBufferPointer { try handle(UnsafeBufferPointer(rebasing: $0[frame.payload])) }
            case 0x8:
                return false
            case 0x9:
                try sendControl(opcode: 0xA, payload: Array(inbox[frame.payload]))
            default:
                throw BenchError("an unexpected frame (opcode \(frame.opcode))")
            }
        }
        return true
    }

    /// Sends a close frame (code 1000); the caller closes the socket by dropping this value.
    func sendClose() {
        try? sendControl(opcode: 0x8, payload: [0x03, 0xE8])
    }

    private func sendControl(opcode: UInt8, payload: [UInt8]) throws {
        var frame: [UInt8] = [0x80 | opcode, 0x80 | UInt8(payload.count), 0, 0, 0, 0]
        frame.append(contentsOf: payload)
        try writeAll(frame)
    }

    /// The next complete frame in `inbox`, if one is there: its header is consumed.
    private func nextFrame() -> (fin: Bool, opcode: UInt8, payload: Range<Int>)? {
        let available = filled - consumed
        guard available >= 2 else { return nil }
        let first = inbox[consumed]
        let second = inbox[consumed + 1]
        var header = 2
        var length = Int(second & 0x7F)
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(inbox[consumed + 2]) << 8 | Int(inbox[consumed + 3])
            header = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            length = (0..<8).reduce(0) { $0 << 8 | Int(inbox[consumed + 2 + $1]) }
            header = 10
        }
        if second & 0x80 != 0 { header += 4 }  // servers do not mask; skip a key if one came anyway
        guard available >= header + length else { return nil }
        let start = consumed + header
        consumed = start + length
        return (first & 0x80 != 0, first & 0x0F, start..<(start + length))
    }

    /// One `read` into `inbox` after moving what is not parsed yet to its front; false at end of stream.
    private func fill() throws -> Bool {
        if consumed > 0 {
            let remaining = filled - consumed
            inbox.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress!
                if remaining > 0 { memmove(base, base + consumed, remaining) }
            }
            filled = remaining
            consumed = 0
        }
        if filled == inbox.count { inbox.append(contentsOf: repeatElement(0, count: inbox.count)) }
        let count = inbox.withUnsafeMutableBufferPointer { read(fd, $0.baseAddress! + filled, $0.count - filled) }
        if count < 0 {
            if errno == EINTR { return true }
            throw BenchError("read: \(String(cString: strerror(errno)))")
        }
        filled += count
        return count > 0
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBufferPointer { write(fd, $0.baseAddress! + sent, bytes.count - sent) }
            if count < 0 {
                if errno == EINTR { continue }
                throw BenchError("write: \(String(cString: strerror(errno)))")
            }
            sent += count
        }
    }

    /// Reads up to the end of the upgrade response and checks its status; frames after it stay in `inbox`.
    private func readHandshake(url: String) throws {
        let end = Array("\r\n\r\n".utf8)
        while true {
            if let range = inbox[consumed..<filled].firstRange(of: end) {
                let head = String(decoding: inbox[consumed..<range.lowerBound], as: UTF8.self)
                guard head.hasPrefix("HTTP/1.1 101") else {
                    throw BenchError("\(url) refused the upgrade: \(head.prefix(200))")
                }
                consumed = range.upperBound
                return
            }
            guard filled < 1 << 16, try fill() else { throw BenchError("\(url) closed during the upgrade") }
        }
    }
}
