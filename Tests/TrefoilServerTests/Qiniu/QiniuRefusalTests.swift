import Foundation
import HTTPTypes
import QiniuFace
import Testing
import TrefoilCore
import TrefoilJSON
import TrefoilTestSupport

/// What the face refuses, in its `{code, message, data: null}` with the HTTP status of the same number, and that a
/// refused upload leaves nothing behind.
@Suite("Qiniu IM: refusals")
struct QiniuRefusalTests {
    func nothingStored(_ server: QiniuServer, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await server.server.storedBlobs().isEmpty, sourceLocation: sourceLocation)
        #expect(
            ((try? FileManager.default.contentsOfDirectory(atPath: server.server.dataDir + "/tmp")) ?? []).isEmpty,
            sourceLocation: sourceLocation)
    }

    @Test("a forged policy or signature, an expired ticket and a used one are refused; nothing is stored")
    func ticketRefusals() async throws {
        let server = try await QiniuServer.start()
        let token = try await server.token(user: 7)
        let ticket = try await server.ticket("/file/upload/chat?file_type=100&to_id=8&to_type=1", token: token)

        var forged = ticket
        forged.fields["signature"] = String(ticket.fields["signature"]!.reversed())
        try await server.upload(forged, bytes: [1]).expectFailure(.forbidden)
        var bigger = ticket
        let other = try await server.ticket("/file/upload/chat?file_type=103&to_id=8&to_type=1", token: token)
        bigger.fields["policy"] = other.fields["policy"]
        try await server.upload(bigger, bytes: [1]).expectFailure(.forbidden)
        var missing = ticket
        missing.fields["policy"] = nil
        try await server.upload(missing, bytes: [1]).expectFailure(.forbidden)
        try await nothingStored(server)

        #expect(try await server.upload(ticket, bytes: [1, 2]).status == .ok)
        try await server.upload(ticket, bytes: [3, 4]).expectFailure(.conflict)

        let late = try await server.ticket("/file/upload/chat?file_type=100&to_id=8&to_type=1", token: token)
        server.clock.advance(seconds: 601)
        try await server.upload(late, bytes: [1]).expectFailure(.forbidden)
        await server.stop()
    }

    @Test("a file over its type's limit stops at the limit with 413 and nothing is stored")
    func oversized() async throws {
        let server = try await QiniuServer.start { $0.qiniuIM.voiceMaxBytes = 1000 }
        let token = try await server.token(user: 7)
        let ticket = try await server.ticket("/file/upload/chat?file_type=101&to_id=8&to_type=1", token: token)
        try await server.upload(ticket, bytes: pseudoRandomBytes(1001)).expectFailure(.contentTooLarge)
        try await nothingStored(server)
        #expect(try await server.upload(ticket, bytes: pseudoRandomBytes(1000)).status == .ok)
        await server.stop()
    }

    @Test(
        "credentials: wrong app_id 403, missing or expired or foreign token 401, and a user token's user_id is ignored")
    func credentials() async throws {
        let server = try await QiniuServer.start()
        let path = "/file/upload/avatar/user"
        let token = try await server.token(user: 7)
        try await server.get(path, headers: QiniuServer.headers(token, app: "other")).expectFailure(.forbidden)
        try await server.get(path, headers: [HTTPField.Name("app_id")!: QiniuServer.appID]).expectFailure(.unauthorized)
        try await server.get(path, headers: QiniuServer.headers("not-a-jwt")).expectFailure(.unauthorized)
        var otherApp = server.settings
        otherApp.appID = "dother"
        let foreign = try await QiniuUserTokens.mint(settings: otherApp, user: 7, ttl: 3600, now: server.clock.read())
        try await server.get(path, headers: QiniuServer.headers(foreign)).expectFailure(.unauthorized)
        let short = try await server.token(user: 7, ttl: 30)
        // Used once while valid (so it is known), then past its expiry.
        #expect(try await server.get(path, headers: QiniuServer.headers(short)).status == .ok)
        server.clock.advance(seconds: 31)
        try await server.get(path, headers: QiniuServer.headers(short)).expectFailure(.unauthorized)

        // A user token with user_id still acts as its own user: the avatar ticket is user 7's.
        let fresh = try await server.token(user: 7)
        let mine = try await server.ticket(path, token: fresh, extra: ["user_id": "9"])
        let admin = try await server.ticket(path, token: QiniuServer.adminToken, extra: ["user_id": "7"])
        #expect(mine.downloadURL == admin.downloadURL)
        let asNine = try await server.ticket(path, token: QiniuServer.adminToken, extra: ["user_id": "9"])
        #expect(asNine.downloadURL != mine.downloadURL)
        await server.stop()
    }

    @Test("a file_sign or object_name minted for another app, or altered, is refused")
    func foreignSigns() async throws {
        let server = try await QiniuServer.start()
        let token = try await server.token(user: 7)
        let ticket = try await server.ticket("/file/upload/chat?file_type=100&to_id=8&to_type=1", token: token)
        #expect(try await server.upload(ticket, bytes: [9]).status == .ok)
        let root = server.server.root
        await server.stop()
        let other = try await QiniuServer.start(root: root) { $0.qiniuIM.appID = "dother" }
        let otherToken = try await other.token(user: 7)
        try await other.get(ticket.downloadURL, headers: QiniuServer.headers(otherToken, app: "dother"))
            .expectFailure(.forbidden)
        await other.stop()
    }

    @Test("bad ticket requests: unknown file_type, to_type other than 1 or 2, a shared type to a user, missing ids")
    func badTicketRequests() async throws {
        let server = try await QiniuServer.start()
        let token = try await server.token(user: 7)
        for query in [
            "file_type=105&to_id=1&to_type=1", "file_type=100&to_id=1&to_type=3", "file_type=200&to_id=1&to_type=1",
            "file_type=100&to_type=1", "to_id=1&to_type=1", "file_type=100&to_id=x&to_type=1",
        ] {
            try await server.get("/file/upload/chat?\(query)", headers: QiniuServer.headers(token))
                .expectFailure(.badRequest)
        }
        await server.stop()
    }
}

/// `trefoil token`: the user token an app's own server would mint, from the executable.
@Suite("Qiniu IM: trefoil token")
struct QiniuTokenCommandTests {
    @Test(
        "trefoil token --user prints a JWT the face accepts as that user; --store prints a store_token; a disabled section is an error"
    )
    func tokenCommand() async throws {
        let server = try await QiniuServer.start()
        let config = server.server.root + "/qiniu.json"
        let json = """
            {"storage": {"data_dir": "\(server.server.dataDir)"},
             "qiniu_im": {"enable": true, "app_id": "\(QiniuServer.appID)", "jwt_secret": "\(QiniuServer.secret)"}}
            """
        try json.write(toFile: config, atomically: true, encoding: .utf8)
        let minted = try await runTrefoil(["token", "--config", config, "--user", "7", "--ttl", "600"])
        #expect(minted.status == 0, "\(minted.output)")
        let token = minted.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let mine = try await server.ticket("/file/upload/avatar/user", token: token)
        let admin = try await server.ticket(
            "/file/upload/avatar/user", token: QiniuServer.adminToken, extra: ["user_id": "7"])
        #expect(mine.downloadURL == admin.downloadURL)
        #expect(try await server.upload(mine, bytes: [5]).status == .ok)

        let store = try await runTrefoil(["token", "--config", config, "--user", "7", "--store"])
        #expect(store.status == 0, "\(store.output)")
        let storeToken = store.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let encoded = storeToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        #expect(try await server.get(mine.downloadURL + "&store_token=\(encoded)").bytes == [5])

        let disabled = server.server.root + "/disabled.json"
        try #"{"storage": {"data_dir": "/tmp/unused"}}"#.write(toFile: disabled, atomically: true, encoding: .utf8)
        let refused = try await runTrefoil(["token", "--config", disabled, "--user", "7"])
        #expect(refused.status == 1)
        #expect(refused.output.contains("qiniu_im is not enabled"))
        await server.stop()
    }
}
