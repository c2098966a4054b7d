import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Calls `body` with 127.0.0.1:`port` as a socket address and its length.
func withLoopbackAddress<T>(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}

/// A blocking TCP socket connected to 127.0.0.1:`port`; the caller closes it.
func loopbackSocket(port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw LiveServerError(description: "socket() failed: errno \(errno)") }
    guard withLoopbackAddress(port: port, { connect(fd, $0, $1) }) == 0 else {
        let reason = errno
        close(fd)
        throw LiveServerError(description: "connect() failed: errno \(reason)")
    }
    return fd
}

/// A blocking TCP socket listening on 127.0.0.1 at a port the system picks; the caller closes it.
func loopbackListener() throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw LiveServerError(description: "socket() failed: errno \(errno)") }
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    guard withLoopbackAddress(port: 0, { bind(fd, $0, $1) }) == 0, listen(fd, 8) == 0,
        withUnsafeMutablePointer(
            to: &address, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } })
            == 0
    else {
        let reason = errno
        close(fd)
        throw LiveServerError(description: "listening on 127.0.0.1 failed: errno \(reason)")
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// One `GET path` to 127.0.0.1:`port` over a fresh connection (`Connection: close`), blocking: the whole answer, head
/// and body, as text.
func loopbackGet(_ path: String, port: Int) throws -> String {
    let fd = try loopbackSocket(port: port)
    defer { close(fd) }
    try sendAll(fd, Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
    return String(decoding: readFromSocket(fd), as: UTF8.self)
}

/// Reads from a blocking socket until the peer closes it, `done` holds for what came, or nothing
/// comes for 10 s.
func readFromSocket(_ fd: Int32, until done: ([UInt8]) -> Bool = { _ in false }) -> [UInt8] {
    readSocket(fd, silence: 10, until: done).received
}

/// Reads from a blocking socket until the peer closes it (`closed`), `done` holds for what came, or nothing comes
/// for `silence` seconds.
func readSocket(_ fd: Int32, silence: Int, until done: ([UInt8]) -> Bool = { _ in false }) -> (
    received: [UInt8], closed: Bool
) {
    var timeout = timeval(tv_sec: silence, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = recv(fd, &buffer, buffer.count, 0)
        if count < 0 && errno == EINTR { continue }
        if count == 0 || (count < 0 && errno == ECONNRESET) { return (received, true) }
        if count < 0 { return (received, false) }
        received += buffer[..<count]
        if done(received) { return (received, false) }
    }
}

/// Sends `piece` every `interval` until the peer closes the connection (true) or `limit` has passed (false); what
/// the peer sends meanwhile is read and dropped.
func trickle(_ fd: Int32, _ piece: [UInt8], every interval: Duration, for limit: Duration) -> Bool {
    let deadline = ContinuousClock.now + limit
    var buffer = [UInt8](repeating: 0, count: 4096)
    while ContinuousClock.now < deadline {
        while true {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count == 0 || (count < 0 && errno == ECONNRESET) { return true }
            if count < 0 { break }
        }
        if send(fd, piece, piece.count, Int32(MSG_NOSIGNAL)) < 0 { return true }
        Thread.sleep(
            forTimeInterval: Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18)
    }
    return false
}

/// Sends all of `bytes`, or throws.
func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws {
    var sent = 0
    while sent < bytes.count {
        let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard count > 0 else { throw LiveServerError(description: "send() failed: errno \(errno)") }
        sent += count
    }
}
