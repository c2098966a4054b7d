import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One request on its own connection, with the response head in and the body not yet read.
struct FetchExchange: Sendable {
    let channel: any Channel
    let head: HTTPResponseHead
    let body: FetchBody

    /// Abandons the exchange; with `Connection: close` there is nothing worth draining.
    func close() {
        self.channel.close(promise: nil)
    }
}

/// A connected channel whose response head has not arrived yet.
struct PendingFetchExchange: Sendable {
    let channel: any Channel
    let head: EventLoopFuture<HTTPResponseHead>
    let body: FetchBody
}

extension SafeFetcher {
    /// Resolves and checks the target's addresses, connects to the first one that answers, sends the request and
    /// waits for the response head.
    ///
    /// `deadline` ends the whole request, this hop included, when it comes first.
    func exchange(
        with target: FetchTarget, method: HTTPMethod, headers: [(String, String)], body: ByteBuffer?,
        deadline: FetchDeadline?
    ) async throws(FetchError) -> FetchExchange {
        let requestHead = try self.requestHead(for: target, method: method, headers: headers, body: body)
        let addresses = try await self.checkedAddresses(for: target, deadline: deadline)
        let sslContext = target.isTLS ? try self.tls.context() : nil
        let timeout = TimeAmount(self.configuration.timeout)
        // One connect budget shared by all addresses, so several dead addresses cannot multiply the timeout.
        let connectDeadline = NIODeadline.now() + timeout
        var lastError = FetchError.failed(
            "connect to \(target.authority) timed out after \(timeout.wholeMilliseconds) ms")
        for address in addresses {
            try deadline?.check()
            let remaining = min(connectDeadline, deadline?.end ?? connectDeadline) - .now()
            guard remaining > .zero else { break }
            let pending: PendingFetchExchange
            do {
                pending = try await self.connect(
                    to: address, target: target, requestHead: requestHead, body: body, sslContext: sslContext,
                    connectTimeout: remaining, deadline: deadline)
            } catch {
                if Task.isCancelled { throw .failed("cancelled") }
                lastError = Self.connectFailure(to: address, error)
                continue
            }
            return try await self.awaitHead(of: pending)
        }
        try deadline?.check()
        throw lastError
    }

    /// Every address of the target, after checking all of them: one refused address refuses the whole host.
    func checkedAddresses(for target: FetchTarget, deadline: FetchDeadline? = nil) async throws(FetchError)
        -> [SocketAddress]
    {
        let addresses: [SocketAddress]
        if let literal = target.literalAddress {
            addresses = [literal]
        } else {
            var timeout = TimeAmount(self.configuration.timeout)
            if let deadline {
                try deadline.check()
                timeout = min(timeout, deadline.end - .now())
            }
            do {
                addresses = try await FetchAddressResolver.resolve(
                    host: target.host, port: target.port, timeout: timeout, eventLoop: self.eventLoopGroup.next())
            } catch {
                try deadline?.check()
                throw error
            }
        }
        try self.check(addresses, for: target)
        return addresses
    }

    /// Refuses the target if any of its addresses is refused; picking a "good" one would let a rebinding name win.
    func check(_ addresses: [SocketAddress], for target: FetchTarget) throws(FetchError) {
        for address in addresses {
            guard case .refused(let range) = self.policy.classify(address) else { continue }
            let ip = address.ipAddress ?? "\(address)"
            let subject = target.literalAddress == nil ? "\(target.host) resolves to \(ip), which" : ip
            throw .refused(
                "\(subject) is in \(range); fetching from private and special-purpose addresses is disabled "
                    + "(set upload.allow_private_networks to allow it)")
        }
    }

    /// The request head: fixed Host, framing and Connection; caller headers may replace User-Agent and Accept.
    func requestHead(
        for target: FetchTarget, method: HTTPMethod, headers: [(String, String)], body: ByteBuffer?
    ) throws(FetchError) -> HTTPRequestHead {
        var userAgent = self.configuration.userAgent
        var accept = "*/*"
        var extra: [(String, String)] = []
        for (name, value) in headers {
            guard Self.isValidHeader(name: name, value: value) else {
                throw .failed("invalid request header \"\(FetchTarget.abbreviated(name))\"")
            }
            switch name.lowercased() {
            case "host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade",
                "proxy-connection", "te", "trailer":
                // Routing and message framing belong to the fetcher; letting callers set them invites smuggling.
                continue
            case "user-agent": userAgent = value
            case "accept": accept = value
            default: extra.append((name, value))
            }
        }
        var fields = HTTPHeaders()
        fields.add(name: "Host", value: target.hostHeader)
        fields.add(name: "User-Agent", value: userAgent)
        fields.add(name: "Accept", value: accept)
        fields.add(contentsOf: extra)
        if let body { fields.add(name: "Content-Length", value: String(body.readableBytes)) }
        fields.add(name: "Connection", value: "close")
        return HTTPRequestHead(version: .http1_1, method: method, uri: target.requestTarget, headers: fields)
    }

    private func connect(
        to address: SocketAddress, target: FetchTarget, requestHead: HTTPRequestHead, body: ByteBuffer?,
        sslContext: NIOSSLContext?, connectTimeout: TimeAmount, deadline: FetchDeadline?
    ) async throws -> PendingFetchExchange {
        guard let bootstrap = ClientBootstrap(validatingGroup: self.eventLoopGroup) else {
            throw FetchError.failed("the event loop group cannot make TCP connections")
        }
        // SNI and certificate checks use the name; IP literals are verified against the address by NIOSSL.
        // A fully qualified "example.com." is the same name, but certificates and SNI never carry the dot.
        let serverHostname =
            target.literalAddress == nil
            ? (target.host.hasSuffix(".") ? String(target.host.dropLast()) : target.host) : nil
        let timeout = TimeAmount(self.configuration.timeout)
        let maxBytes = self.configuration.maxBytes
        // Connecting to the checked SocketAddress (never the name) is what defeats DNS rebinding.
        return try await bootstrap.connectTimeout(connectTimeout).connect(to: address) { channel in
            channel.eventLoop.makeCompletedFuture {
                let pipeline = channel.pipeline.syncOperations
                if let sslContext {
                    try pipeline.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                }
                try pipeline.addHTTPClientHandlers()
                let handler = FetchResponseHandler(
                    requestHead: requestHead, requestBody: body, timeout: timeout, deadline: deadline,
                    maxBytes: maxBytes, eventLoop: channel.eventLoop)
                do {
                    try pipeline.addHandler(handler)
                } catch {
                    handler.headPromise.fail(error)
                    throw error
                }
                let body = handler.makeBody(eventLoop: channel.eventLoop)
                return PendingFetchExchange(channel: channel, head: handler.headPromise.futureResult, body: body)
            }
        }
    }

    private func awaitHead(of pending: PendingFetchExchange) async throws(FetchError) -> FetchExchange {
        do {
            let head = try await withTaskCancellationHandler {
                try await pending.head.get()
            } onCancel: {
                pending.channel.close(promise: nil)
            }
            return FetchExchange(channel: pending.channel, head: head, body: pending.body)
        } catch {
            pending.channel.close(promise: nil)
            if Task.isCancelled { throw .failed("cancelled") }
            throw FetchError(describing: error)
        }
    }

    private static func connectFailure(to address: SocketAddress, _ error: any Error) -> FetchError {
        let endpoint = "\(address.ipAddress.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "?"):\(address.port ?? 0)"
        switch FetchError(describing: error) {
        case .failed(let reason): return .failed("cannot connect to \(endpoint): \(reason)")
        case let other: return other
        }
    }

    // RFC 9110 token characters for names; values may hold anything but CR, LF and NUL.
    private static func isValidHeader(name: String, value: String) -> Bool {
        let tokenPunctuation: Set<UInt8> = Set("!#$%&'*+-.^_`|~".utf8)
        let nameOK =
            !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || tokenPunctuation.contains(byte)
            }
        let valueOK = !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
        return nameOK && valueOK
    }
}

/// The end of a whole request's time budget (`SafeFetcher.Configuration.totalTimeout`).
struct FetchDeadline: Sendable {
    let end: NIODeadline
    let limit: TimeAmount

    init(limit: TimeAmount) {
        self.end = .now() + limit
        self.limit = limit
    }

    /// What the request fails with once the budget is spent.
    var error: FetchError { .failed("did not complete within the total time limit of \(limit.wholeMilliseconds) ms") }

    /// Throws `error` once the budget is spent.
    func check() throws(FetchError) {
        if NIODeadline.now() >= self.end { throw self.error }
    }
}

extension TimeAmount {
    /// Whole milliseconds, for messages.
    var wholeMilliseconds: Int64 { self.nanoseconds / 1_000_000 }
}
