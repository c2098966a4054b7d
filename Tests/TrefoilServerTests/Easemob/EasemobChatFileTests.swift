import Foundation
import HTTPTypes
import Testing
import TrefoilCore
import TrefoilJSON
import TrefoilTestSupport

/// Chat files: access secrets, retention and expiry, tokens over restarts, and downloads like every other.
@Suite("Easemob: chat files and tokens")
struct EasemobChatFileTests {
    /// Uploads `bytes` as a chat file; returns its uuid and share-secret.
    func upload(
        _ server: EasemobServer, _ bytes: [UInt8], restricted: Bool, token: String
    ) async throws -> (uuid: String, secret: String) {
        let answer = try await server.upload(
            "/chatfiles", name: "note.txt", bytes: bytes, headers: [.restrictAccess: restricted ? "true" : "false"],
            token: token)
        #expect(answer.status == .ok, "\(answer)")
        let entity = try #require(answer.json["entities"]?.arrayValue?.first)
        return (try #require(entity["uuid"]?.stringValue), try #require(entity["share-secret"]?.stringValue))
    }

    @Test(
        "a restricted file needs its share-secret (header or query); a missing or wrong one reads exactly as an unknown file"
    )
    func restrictAccess() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let bytes = pseudoRandomBytes(5000)
        let file = try await upload(server, bytes, restricted: true, token: token)
        let open = try await upload(server, pseudoRandomBytes(10, seed: 3), restricted: false, token: token)
        let unknown = try await server.send("/chatfiles/5fd74830-0000-4000-822a-81ea50bb049d", token: token)
        for headers: HTTPFields in [[:], [.shareSecret: "wrong"], [.shareSecret: open.secret]] {
            let refused = try await server.send("/chatfiles/\(file.uuid)", headers: headers, token: token)
            refused.expectError(.notFound, "entity_not_found")
            #expect(refused.json["error_description"] == unknown.json["error_description"])
            #expect(refused.json["exception"] == unknown.json["exception"])
        }
        let byHeader = try await server.send(
            "/chatfiles/\(file.uuid)", headers: [.shareSecret: file.secret], token: token)
        #expect(byHeader.status == .ok && byHeader.bytes == bytes)
        let encoded = file.secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let byQuery = try await server.send("/chatfiles/\(file.uuid)?share-secret=\(encoded)", token: token)
        #expect(byQuery.status == .ok && byQuery.bytes == bytes)
        let unrestricted = try await server.send("/chatfiles/\(open.uuid)", token: token)
        #expect(unrestricted.status == .ok && unrestricted.bytes == pseudoRandomBytes(10, seed: 3))
        // Both prefixes serve the same files.
        let agora = try await server.send(
            "/app-id/\(EasemobServer.appID)/chatfiles/\(file.uuid)", headers: [.shareSecret: file.secret],
            token: token)
        #expect(agora.bytes == bytes)
        await server.stop()
    }

    @Test("downloads carry ETag and honour Range and If-None-Match, like every download of the store")
    func rangeAndETag() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let bytes = pseudoRandomBytes(4096)
        let file = try await upload(server, bytes, restricted: false, token: token)
        let whole = try await server.send("/chatfiles/\(file.uuid)", token: token)
        #expect(whole.headers[.eTag] == "\"\(sha256Hex(bytes))\"")
        let part = try await server.send("/chatfiles/\(file.uuid)", headers: [.range: "bytes=100-199"], token: token)
        #expect(part.status == .partialContent && part.bytes == Array(bytes[100...199]))
        let cached = try await server.send(
            "/chatfiles/\(file.uuid)", headers: [.ifNoneMatch: "\"\(sha256Hex(bytes))\""], token: token)
        #expect(cached.status == .notModified)
        await server.stop()
    }

    @Test(
        "after its retention a chat file is 404 file_expired, before and after the janitor removes it; restricted ones only to a caller with the secret"
    )
    func expiry() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token(ttl: 0)
        let open = try await upload(server, pseudoRandomBytes(100), restricted: false, token: token)
        let secret = try await upload(server, pseudoRandomBytes(100, seed: 2), restricted: true, token: token)
        server.clock.advance(days: 6, seconds: 86_000)
        #expect(try await server.send("/chatfiles/\(open.uuid)", token: token).status == .ok)
        server.clock.advance(seconds: 500)
        for removed in [false, true] {
            if removed { #expect(try await server.server.gateway.tree.expireFiles() == 2) }
            let expired = try await server.send("/chatfiles/\(open.uuid)", token: token)
            #expect(expired.expectError(.notFound, "file_expired") == "file \(open.uuid) is expired")
            try await server.send("/chatfiles/\(secret.uuid)", token: token).expectError(.notFound, "entity_not_found")
            try await server.send("/chatfiles/\(secret.uuid)", headers: [.shareSecret: secret.secret], token: token)
                .expectError(.notFound, "file_expired")
        }
        await server.stop()
    }

    @Test("tokens survive a restart; ttl 0 never expires; a new client_secret revokes every earlier token")
    func tokensAcrossRestarts() async throws {
        let first = try await EasemobServer.start()
        let root = first.server.root
        let lasting = try await first.token()
        let forever = try await first.token(ttl: 0)
        await first.stop()

        let clock = TestClock()
        let second = try await EasemobServer.start(root: root, clock: clock)
        #expect(try await second.send("/chatgroups/1/announcement", token: lasting).status == .ok)
        clock.advance(days: 36_500)
        try await second.send("/chatgroups/1/announcement", token: lasting).expectError(.unauthorized, "unauthorized")
        #expect(try await second.send("/chatgroups/1/announcement", token: forever).status == .ok)
        await second.stop()

        let rotated = try await EasemobServer.start(root: root) { $0.easemob.clientSecret = "rotated" }
        try await rotated.send("/chatgroups/1/announcement", token: forever)
            .expectError(.unauthorized, "auth_bad_access_token")
        await rotated.stop()
    }

    @Test("the token answer is {access_token, expires_in, application}, expires_in the ttl asked or the configured one")
    func tokenAnswer() async throws {
        let server = try await EasemobServer.start { $0.easemob.tokenTTLSeconds = 3600 }
        let body: JSONValue = [
            "grant_type": "client_credentials", "client_id": .string(EasemobServer.clientID),
            "client_secret": .string(EasemobServer.clientSecret),
        ]
        let answer = try await server.send("/token", method: .post, json: body, token: nil)
        #expect(answer.keys == ["access_token", "expires_in", "application"])
        #expect(answer.json["expires_in"]?.intValue == 3600)
        let application = try #require(answer.json["application"]?.stringValue)
        #expect(isUUIDID("/" + application))
        let other = try await server.send("/app-id/\(EasemobServer.appID)/token", method: .post, json: body, token: nil)
        #expect(other.json["application"]?.stringValue == application)
        let withTTL: JSONValue = [
            "grant_type": "client_credentials", "client_id": .string(EasemobServer.clientID),
            "client_secret": .string(EasemobServer.clientSecret), "ttl": "120",
        ]
        let short = try await server.send("/token", method: .post, json: withTTL, token: nil)
        #expect(short.json["expires_in"]?.intValue == 120)
        await server.stop()
    }

    @Test("the OneBot access token opens no Easemob route, and an Easemob token opens no OneBot route")
    func credentialsStayInTheirFace() async throws {
        let server = try await EasemobServer.start(oneBotToken: "onebot-secret")
        let token = try await server.token()
        try await server.send("/chatgroups/1/announcement", token: "onebot-secret")
            .expectError(.unauthorized, "auth_bad_access_token")
        let oneBot = try await server.server.call("get_status", token: token)
        #expect(oneBot.retcode == 1403)
        #expect(try await server.server.call("get_status").isOK)
        await server.stop()
    }
}
