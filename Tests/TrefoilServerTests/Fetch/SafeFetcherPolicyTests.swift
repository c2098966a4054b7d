import Hummingbird
import NIOCore
import Testing
import TrefoilTestSupport

@testable import TrefoilServer

@Suite("SafeFetcher address checks", .timeLimit(.minutes(3)))
struct SafeFetcherPolicyTests {
    private static func payloadRoutes(_ payload: [UInt8]) -> Router<BasicRequestContext> {
        makeFetchTestRouter { router in
            router.get("/file") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: payload))) }
        }
    }

    @Test("A loopback URL is refused by default, naming the address, its range and the setting")
    func refusesLoopbackLiteral() async throws {
        try await withFetchTestServer(Self.payloadRoutes([1, 2, 3])) { port in
            let error = await fetchError { try await makeTestFetcher().get("http://127.0.0.1:\(port)/file") }
            guard case .refused(let message) = error else {
                Issue.record("expected .refused, got \(String(describing: error))")
                return
            }
            #expect(message.contains("127.0.0.1"))
            #expect(message.contains("127.0.0.0/8"))
            #expect(message.contains("upload.allow_private_networks"))
        }
    }

    @Test("localhost is refused because it resolves to loopback")
    func refusesLocalhost() async throws {
        try await withFetchTestServer(Self.payloadRoutes([1, 2, 3])) { port in
            let error = await fetchError { try await makeTestFetcher().get("http://localhost:\(port)/file") }
            guard case .refused(let message) = error else {
                Issue.record("expected .refused, got \(String(describing: error))")
                return
            }
            #expect(message.contains("localhost resolves to"))
            #expect(message.contains("upload.allow_private_networks"))
        }
    }

    @Test("An IPv6 loopback literal is refused")
    func refusesIPv6Loopback() async {
        let error = await fetchError { try await makeTestFetcher().get("http://[::1]:9/file") }
        guard case .refused(let message) = error else {
            Issue.record("expected .refused, got \(String(describing: error))")
            return
        }
        #expect(message.contains("::1"))
    }

    @Test("With private networks allowed, the exact bytes of a multi-MiB body come back")
    func allowedWhenPrivateNetworksAllowed() async throws {
        let payload = pseudoRandomBytes(3 << 20 + 12345)
        try await withFetchTestServer(Self.payloadRoutes(payload)) { port in
            for host in ["127.0.0.1", "localhost"] {
                let response = try await makeTestFetcher(allowPrivateNetworks: true).get("http://\(host):\(port)/file")
                #expect(response.status == 200)
                #expect(response.contentLength == Int64(payload.count))
                let received = try await drainFetchBody(response.body)
                #expect(received.bytes == payload)
            }
        }
    }

    @Test(
        "Non-http schemes, userinfo and host-less URLs are refused",
        arguments: [
            "ftp://example.com/file", "file:///etc/passwd", "http://user:secret@example.com/",
            "http://user@example.com/", "http:///path", "http:example.com", "gopher://127.0.0.1:70/",
            "not a url", "", "http://exa mple.com/", "http://a%0d%0ab/", "http://example.com:0/",
            "http://example.com:70000/",
        ])
    func refusesBadURLs(url: String) async {
        let error = await fetchError { try await makeTestFetcher(allowPrivateNetworks: true).get(url) }
        guard case .refused = error else {
            Issue.record("\(url): expected .refused, got \(String(describing: error))")
            return
        }
    }

    @Test("post refuses refused addresses too")
    func postRefuses() async throws {
        let error = await fetchError {
            try await makeTestFetcher().post("http://127.0.0.1:9/hook", headers: [], body: ByteBuffer(string: "{}"))
        }
        guard case .refused(let message) = error else {
            Issue.record("expected .refused, got \(String(describing: error))")
            return
        }
        #expect(message.contains("127.0.0.1"))
    }

    @Test("A host is refused when any one of its addresses is refused, even if another is allowed")
    func anyRefusedAddressRefusesTheHost() throws {
        let fetcher = makeTestFetcher(allowList: ["127.0.0.1"])
        let target = try FetchTarget(parsing: "http://mixed.example/")
        let good = try SocketAddress(ipAddress: "127.0.0.1", port: 80)
        let bad = try SocketAddress(ipAddress: "127.0.0.2", port: 80)
        #expect(throws: Never.self) { try fetcher.check([good], for: target) }
        for order in [[good, bad], [bad, good]] {
            #expect {
                try fetcher.check(order, for: target)
            } throws: { error in
                guard case .refused(let message) = error as? FetchError else { return false }
                return message.contains("mixed.example resolves to 127.0.0.2")
            }
        }
    }
}
