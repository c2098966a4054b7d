import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves a host name to all of its addresses with getaddrinfo, so every one can be checked before connecting.
enum FetchAddressResolver {
    /// Looks the host up on NIO's blocking-I/O thread pool, failing after `timeout` even if getaddrinfo is still busy.
    static func resolve(
        host: String, port: Int, timeout: TimeAmount, eventLoop: any EventLoop
    ) async throws(FetchError) -> [SocketAddress] {
        let promise = eventLoop.makePromise(of: [SocketAddress].self)
        // getaddrinfo blocks, and the cooperative pool has only one thread per core.
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
            try self.lookUp(host: host, port: port)
        }.cascade(to: promise)
        let timer = eventLoop.scheduleTask(in: timeout) {
            promise.fail(FetchError.failed("DNS lookup of \(host) timed out after \(timeout.wholeMilliseconds) ms"))
        }
        defer { timer.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                promise.fail(CancellationError())
            }
        } catch {
            throw FetchError(describing: error)
        }
    }

    /// Blocking lookup of every TCP address of `host`, deduplicated, in the resolver's preferred order.
    static func lookUp(host: String, port: Int) throws(FetchError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if os(Linux)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw .failed("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }

        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor?.pointee {
            cursor = entry.ai_next
            guard let raw = entry.ai_addr else { continue }
            var address: SocketAddress
            switch entry.ai_family {
            case AF_INET where Int(entry.ai_addrlen) >= MemoryLayout<sockaddr_in>.size:
                address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    SocketAddress($0.pointee, host: host)
                }
            case AF_INET6 where Int(entry.ai_addrlen) >= MemoryLayout<sockaddr_in6>.size:
                address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    SocketAddress($0.pointee, host: host)
                }
            default:
                continue
            }
            address.port = port
            if !addresses.contains(address) { addresses.append(address) }
        }
        guard !addresses.isEmpty else { throw .failed("cannot resolve \(host): no IPv4 or IPv6 addresses") }
        return addresses
    }
}
