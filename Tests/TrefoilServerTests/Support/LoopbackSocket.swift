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

/// Reads from a blocking socket until the peer closes it, `done` holds for what came, or nothing
/// comes for 10 s.
func readFromSocket(_ fd: Int32, until done: ([UInt8]) -> Bool = { _ in false }) -> [UInt8] {
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = recv(fd, &buffer, buffer.count, 0)
        if count <= 0 { return received }
        received += buffer[..<count]
        if done(received) { return received }
    }
}
