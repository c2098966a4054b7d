import EasemobFace
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing
import TrefoilJSON
import TrefoilTestSupport

@testable import TrefoilServer

/// Who may scrape: on the main listener, whoever has the access token (as for the OneBot HTTP API); with
/// `metrics.listen_port`, whoever reaches that loopback port instead. No face's credential opens it, and no other
/// request changes.
@Suite("Metrics: access to /metrics", .timeLimit(.minutes(3)), .stopsLiveServers)
struct MetricsAccessTests {
    static let token = "scrape-secret"

    @Test("without a token 401, with a wrong one 403, with the right one (header or query) the text format")
    func accessToken() async throws {
        let server = try await LiveServer.start(token: Self.token)
        let missing = try await server.request("/metrics")
        #expect(missing.status == .unauthorized)
        #expect(try Envelope(missing.body ?? .init()).retcode == 1401)
        let wrong = try await server.request("/metrics", headers: [.authorization: "Bearer nope"])
        #expect(wrong.status == .forbidden)
        #expect(try Envelope(wrong.body ?? .init()).retcode == 1403)
        let wrongQuery = try await server.request("/metrics?access_token=nope")
        #expect(wrongQuery.status == .forbidden)

        for (target, headers) in [
            ("/metrics", [HTTPField.Name.authorization: "Bearer \(Self.token)"]),
            ("/metrics", [.authorization: "Token \(Self.token)"]),
            ("/metrics?access_token=\(Self.token)", [:]),
        ] as [(String, HTTPFields)] {
            let scrape = try await server.request(target, headers: headers)
            #expect(scrape.status == .ok, "\(target)")
            #expect(scrape.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(String(buffer: scrape.body ?? .init()).contains("# TYPE trefoil_store_files gauge"))
        }
    }

    @Test("other methods on /metrics still reach the OneBot action route, token check and 404 as before")
    func otherMethodsUnchanged() async throws {
        let server = try await LiveServer.start(token: Self.token)
        let anonymous = try await server.request("/metrics", method: .post)
        #expect(anonymous.status == .unauthorized)
        let called = try await server.call("metrics")
        #expect(called.retcode == 1404)
        #expect(called.msg == "API_NOT_FOUND")
        // And the route next to it is untouched.
        #expect(try await server.request("/health").status == .ok)
    }

    @Test("with metrics.enable false, GET /metrics is the OneBot action route's 404 and nothing is recorded")
    func disabled() async throws {
        let server = try await LiveServer.start(token: Self.token) { $0.metrics.enable = false }
        let answer = try await server.request("/metrics", headers: [.authorization: "Bearer \(Self.token)"])
        #expect(answer.status == .notFound)
        #expect(try Envelope(answer.body ?? .init()).retcode == 1404)
        #expect(try await server.call("get_status").isOK)
        let text = String(decoding: await server.gateway.metrics.scrape(), as: UTF8.self)
        #expect(!text.contains("trefoil_onebot_actions_total"))
    }

    @Test("metrics.listen_port serves /metrics on 127.0.0.1 without a token, and takes it off the main listener")
    func loopbackListener() async throws {
        let port = try freePort()
        let server = try await LiveServer.start(token: Self.token) { $0.metrics.listenPort = port }
        let client = TestClient(
            host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(30)),
            eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton))
        client.connect()
        let scrape = try await client.execute(.init("/metrics", method: .get))
        try await client.shutdown()
        #expect(scrape.status == .ok)
        #expect(String(buffer: scrape.body ?? .init()).contains("# TYPE trefoil_store_files gauge"))

        let main = try await server.request("/metrics", headers: [.authorization: "Bearer \(Self.token)"])
        #expect(main.status == .notFound)
        #expect(try Envelope(main.body ?? .init()).retcode == 1404)
    }

    @Test("an Easemob app token does not open /metrics")
    func easemobToken() async throws {
        let easemob = try await EasemobServer.start(oneBotToken: Self.token)
        let appToken = try await easemob.token()
        let answer = try await easemob.server.request("/metrics", headers: [.authorization: "Bearer \(appToken)"])
        #expect(answer.status == .forbidden)
        #expect(try Envelope(answer.body ?? .init()).retcode == 1403)
    }

    @Test("a Qiniu IM admin token does not open /metrics")
    func qiniuToken() async throws {
        let qiniu = try await QiniuServer.start { $0.onebot11.accessToken = Self.token }
        let answer = try await qiniu.server.request(
            "/metrics", headers: [.authorization: "Bearer \(QiniuServer.adminToken)"])
        #expect(answer.status == .forbidden)
    }

    @Test("without an access token the scrape is open on loopback, refused on a listener other hosts reach")
    func noToken() async throws {
        let server = try await LiveServer.start()
        #expect(try await server.request("/metrics").status == .ok)

        // Only the Easemob face, which has its own credential, on every address: nothing keeps the listener on
        // loopback, so an open scrape would be open to anyone. (Opened, never bound.)
        var config = server.config
        config.server.host = "0.0.0.0"
        config.storage.dataDir = server.root + "/public-data"
        config.easemob.enable = true
        config.easemob.clientID = "YXA6client"
        config.easemob.clientSecret = "YXA6secret"
        config.onebot11.enable = false
        let gateway = try await Gateway.open(config: config, faces: [EasemobFace.self], logger: .init(label: "test"))
        defer { gateway.close() }
        #expect(gateway.metricsRefusal != nil)
        #expect(server.gateway.metricsRefusal == nil)
    }
}
