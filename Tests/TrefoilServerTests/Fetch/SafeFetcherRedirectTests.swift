import Hummingbird
import NIOCore
import Testing

@testable import TrefoilServer

@Suite("SafeFetcher redirects", .timeLimit(.minutes(3)))
struct SafeFetcherRedirectTests {
    /// Runs `body` with a server on 127.0.0.2 serving /target and a server on 127.0.0.1 redirecting to it.
    private func withRedirectPair(_ body: (_ firstPort: Int, _ secondPort: Int) async throws -> Void) async throws {
        try await withFetchTestServer(
            host: "127.0.0.2",
            makeFetchTestRouter { router in
                router.get("/target") { request, _ in
                    let auth = request.headers[.authorization] ?? "none"
                    return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "second auth=\(auth)")))
                }
            }
        ) { secondPort in
            try await withFetchTestServer(
                makeFetchTestRouter { router in
                    router.get("/jump") { _, _ in
                        Response(status: .found, headers: [.location: "http://127.0.0.2:\(secondPort)/target"])
                    }
                }
            ) { firstPort in
                try await body(firstPort, secondPort)
            }
        }
    }

    @Test("A redirect to an address that is not allowed is refused")
    func refusesRedirectToPrivateAddress() async throws {
        try await self.withRedirectPair { firstPort, _ in
            let fetcher = makeTestFetcher(allowList: ["127.0.0.1"])
            let error = await fetchError { try await fetcher.get("http://127.0.0.1:\(firstPort)/jump") }
            guard case .refused(let message) = error else {
                Issue.record("expected .refused, got \(String(describing: error))")
                return
            }
            #expect(message.contains("127.0.0.2"))
        }
    }

    @Test("A redirect to an allowed address is followed, and credentials are not carried to the new origin")
    func followsRedirectToAllowedAddress() async throws {
        try await self.withRedirectPair { firstPort, secondPort in
            let fetcher = makeTestFetcher(allowList: ["127.0.0.1", "127.0.0.2"])
            let response = try await fetcher.get(
                "http://127.0.0.1:\(firstPort)/jump", headers: [("Authorization", "Bearer secret")])
            #expect(response.status == 200)
            #expect(response.finalURL == "http://127.0.0.2:\(secondPort)/target")
            #expect(response.suggestedFileName == "target")
            let body = try await response.body.collect()
            #expect(String(buffer: body) == "second auth=none")
        }
    }

    @Test("A relative Location is resolved against the current URL")
    func followsRelativeLocation() async throws {
        try await withFetchTestServer(
            makeFetchTestRouter { router in
                router.get("/a/start") { _, _ in
                    Response(status: .movedPermanently, headers: [.location: "../b/end.txt?x=1"])
                }
                router.get("/b/end.txt") { request, _ in
                    Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "end \(request.uri.query ?? "")")))
                }
            }
        ) { port in
            let response = try await makeTestFetcher(allowList: ["127.0.0.1"]).get("http://127.0.0.1:\(port)/a/start")
            let text = String(buffer: try await response.body.collect())
            #expect(text == "end x=1")
            #expect(response.suggestedFileName == "end.txt")
        }
    }

    @Test("A redirect loop fails with too many redirects")
    func redirectLoopFails() async throws {
        try await withFetchTestServer(
            makeFetchTestRouter { router in
                router.get("/loop") { _, _ in Response(status: .temporaryRedirect, headers: [.location: "/loop"]) }
            }
        ) { port in
            let error = await fetchError {
                try await makeTestFetcher(allowList: ["127.0.0.1"]).get("http://127.0.0.1:\(port)/loop")
            }
            #expect(error == .failed("too many redirects"))
        }
    }

    @Test("A redirect to a non-http scheme is refused")
    func redirectToFileIsRefused() async throws {
        try await withFetchTestServer(
            makeFetchTestRouter { router in
                router.get("/evil") { _, _ in Response(status: .seeOther, headers: [.location: "file:///etc/passwd"]) }
            }
        ) { port in
            let error = await fetchError {
                try await makeTestFetcher(allowList: ["127.0.0.1"]).get("http://127.0.0.1:\(port)/evil")
            }
            guard case .refused = error else {
                Issue.record("expected .refused, got \(String(describing: error))")
                return
            }
        }
    }
}
