import Foundation
import HTTPTypes
import Testing
import TrefoilConfiguration
import TrefoilJSON
import TrefoilTestSupport

/// Every error the face answers, with the service's status, `error` type and body, and nothing changed by it.
@Suite("Easemob: errors")
struct EasemobErrorTests {
    @Test("a call without a token, with a corrupt one, or with an expired one gets 401 in the service's body")
    func tokenErrors() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token(ttl: 60)
        let missing = try await server.send("/chatgroups/1/announcement", token: nil)
        #expect(missing.expectError(.unauthorized, "unauthorized") == "Unable to authenticate (OAuth)")
        let notBearer = try await server.send(
            "/chatgroups/1/announcement", headers: [.authorization: "Basic \(token)"], token: nil)
        notBearer.expectError(.unauthorized, "unauthorized")
        for corrupt in [
            "nonsense", String(token.dropLast()), token + "x", "YWMt0.AAAA",
            token.replacingOccurrences(of: "YWMt", with: "YWMt1"),
        ] {
            let answer = try await server.send("/chatgroups/1/announcement", token: corrupt)
            #expect(
                answer.expectError(.unauthorized, "auth_bad_access_token")
                    == "Unable to authenticate due to corrupt access token", "\(corrupt)")
        }
        #expect(try await server.send("/chatgroups/1/announcement", token: token).status == .ok)
        server.clock.advance(seconds: 61)
        let expired = try await server.send("/chatgroups/1/announcement", token: token)
        #expect(
            expired.expectError(.unauthorized, "unauthorized") == "Unable to authenticate due to expired access token")
        // Downloads are calls like any other.
        let download = try await server.send("/chatfiles/00000000-0000-0000-0000-000000000000", token: token)
        download.expectError(.unauthorized, "unauthorized")
        await server.stop()
    }

    @Test(
        "the token call refuses a wrong secret (400 invalid_grant), a wrong grant type and a bad ttl (400 illegal_argument)"
    )
    func tokenCallErrors() async throws {
        let server = try await EasemobServer.start()
        let good: [String: JSONValue] = [
            "grant_type": "client_credentials", "client_id": .string(EasemobServer.clientID),
            "client_secret": .string(EasemobServer.clientSecret),
        ]
        var wrong = good
        wrong["client_secret"] = "guess"
        try await server.send("/token", method: .post, json: .object(wrong), token: nil)
            .expectError(.badRequest, "invalid_grant")
        var noID = good
        noID["client_id"] = nil
        try await server.send("/token", method: .post, json: .object(noID), token: nil)
            .expectError(.badRequest, "invalid_grant")
        var password = good
        password["grant_type"] = "password"
        try await server.send("/token", method: .post, json: .object(password), token: nil)
            .expectError(.badRequest, "illegal_argument")
        for ttl: JSONValue in [-1, "soon", 315_360_001, .double(1.5)] {
            var bad = good
            bad["ttl"] = ttl
            try await server.send("/token", method: .post, json: .object(bad), token: nil)
                .expectError(.badRequest, "illegal_argument")
        }
        try await server.send("/token", method: .post, body: Array("{".utf8), token: nil)
            .expectError(.badRequest, "json_parse")
        try await server.send(
            "/token", method: .post, headers: [.contentType: "text/plain"], body: Array(good.description.utf8),
            token: nil
        ).expectError(.unsupportedMediaType, "web_application")
        await server.stop()
    }

    @Test("a chat file over the size limit gets 413 with the service's type and description, and nothing is stored")
    func chatFileTooLarge() async throws {
        let server = try await EasemobServer.start { $0.easemob.chatFileMaxBytes = 1000 }
        let token = try await server.token()
        let answer = try await server.upload(
            "/chatfiles", name: "big.bin", bytes: pseudoRandomBytes(1001), token: token)
        #expect(
            answer.expectError(.contentTooLarge, "file exceeding maximum limit")
                == "the file size exceeds the maximum limit.")
        let fits = try await server.upload("/chatfiles", name: "ok.bin", bytes: pseudoRandomBytes(1000), token: token)
        #expect(fits.status == .ok)
        let info = try await server.server.gateway.tree.fileSystemInfo(of: .init(.app, "acme#chat"))
        #expect(info.fileCount == 1 && info.usedSpace == 1000)
        #expect((try FileManager.default.contentsOfDirectory(atPath: server.server.dataDir + "/tmp")).isEmpty)
        await server.stop()
    }

    @Test("an upload without a file part gets 400 illegal_argument \"file must be provided.\"; a non-form body 415")
    func uploadWithoutFile() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let boundary = "b"
        let form = Array("--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n".utf8)
        for path in ["/chatfiles", "/chatgroups/7/share_files"] {
            let answer = try await server.send(
                path, method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: form,
                token: token)
            #expect(answer.expectError(.badRequest, "illegal_argument") == "file must be provided.")
            let json = try await server.send(path, method: .post, json: ["file": "x"], token: token)
            json.expectError(.unsupportedMediaType, "web_application")
            let bad = try await server.upload(
                path, name: "a", bytes: [1], headers: [.restrictAccess: "maybe"], token: token)
            bad.expectError(.badRequest, "illegal_argument")
        }
        let side = try await server.upload(
            "/chatfiles", name: "a", bytes: [1], headers: [.thumbnailWidth: "0"], token: token)
        side.expectError(.badRequest, "illegal_argument")
        let info = try await server.server.gateway.tree.fileSystemInfo(of: .init(.app, "acme#chat"))
        #expect(info.fileCount == 0)
        #expect(try await server.server.gateway.tree.files(of: .group("7"), limit: 10, offset: 0).isEmpty)
        await server.stop()
    }

    @Test(
        "announcements: 513 UTF-16 units get 403 FORBIDDEN, a missing field 400 illegal_argument, bad JSON 400 json_parse, a huge body 413"
    )
    func announcementErrors() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let path = "/chatgroups/9/announcement"
        // 511 letters and one emoji (two UTF-16 code units): 513, one over.
        let over = try await server.send(
            path, method: .post, json: ["announcement": .string(String(repeating: "a", count: 511) + "😀")],
            token: token)
        #expect(over.expectError(.forbidden, "FORBIDDEN") == "announce info length exceeds limit!")
        let exactly = String(repeating: "公", count: 510) + "😀"
        let fits = try await server.send(path, method: .post, json: ["announcement": .string(exactly)], token: token)
        #expect(fits.status == .ok)
        let missing = try await server.send(path, method: .post, json: ["text": "x"], token: token)
        #expect(missing.expectError(.badRequest, "illegal_argument") == "announcement is null")
        let null = try await server.send(path, method: .post, json: ["announcement": .null], token: token)
        null.expectError(.badRequest, "illegal_argument")
        try await server.send(path, method: .post, body: Array("{\"announcement\":".utf8), token: token)
            .expectError(.badRequest, "json_parse")
        try await server.send(
            path, method: .post, headers: [.contentType: "text/plain"], body: Array("hello".utf8), token: token
        ).expectError(.unsupportedMediaType, "web_application")
        let huge = "{\"announcement\":\"" + String(repeating: "a", count: 70_000) + "\"}"
        try await server.send(path, method: .post, body: Array(huge.utf8), token: token)
            .expectError(.contentTooLarge, "Request Entity Too Large")
        let current = try await server.send(path, token: token)
        #expect(current.json["data"] == ["announcement": .string(exactly)])
        await server.stop()
    }

    @Test(
        "unknown files are 404 entity_not_found, unknown share files and bad group ids 404 resource_not_found, unknown routes 404 service_resource_not_found"
    )
    func notFound() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        for uuid in ["5fd74830-0000-4000-822a-81ea50bb049d", "not-a-uuid", "5FD74830-0000-4000-822A-81EA50BB049D"] {
            let answer = try await server.send("/chatfiles/\(uuid)", token: token)
            #expect(answer.expectError(.notFound, "entity_not_found") == "file may not exists")
        }
        let share = try await server.send(
            "/chatgroups/5/share_files/5fd74830-0000-4000-822a-81ea50bb049d", token: token)
        share.expectError(.notFound, "resource_not_found")
        let deleted = try await server.send(
            "/chatgroups/5/share_files/5fd74830-0000-4000-822a-81ea50bb049d", method: .delete, token: token)
        deleted.expectError(.notFound, "resource_not_found")
        let badGroup = try await server.send("/chatgroups/a%20b/announcement", token: token)
        #expect(badGroup.expectError(.notFound, "resource_not_found").hasSuffix("does not exist!"))
        for path in ["/users", "/chatfiles/x/y", "/chatgroups/5/share_files/x/y"] {
            try await server.send(path, token: token).expectError(.notFound, "service_resource_not_found")
        }
        try await server.send("/chatfiles", method: .put, token: token).expectError(
            .notFound, "service_resource_not_found")
        await server.stop()
    }

    @Test("a share file upload into a group over its quota gets 403 forbidden_op and stores nothing")
    func quotaIsForbiddenOp() async throws {
        let server = try await EasemobServer.start { $0.spaces.group.totalSpace = 1500 }
        let token = try await server.token()
        let first = try await server.upload(
            "/chatgroups/3/share_files", name: "a", bytes: pseudoRandomBytes(1000), token: token)
        #expect(first.status == .ok)
        let second = try await server.upload(
            "/chatgroups/3/share_files", name: "b", bytes: pseudoRandomBytes(1000, seed: 2), token: token)
        second.expectError(.forbidden, "forbidden_op")
        #expect(try await server.server.gateway.tree.files(of: .group("3"), limit: 10, offset: 0).count == 1)
        await server.stop()
    }

    @Test("over calls_per_second, calls get 429 reach_limit until the second has passed")
    func rateLimit() async throws {
        let server = try await EasemobServer.start { $0.easemob.callsPerSecond = 3 }
        let token = try await server.token()
        var limited: EasemobAnswer?
        for _ in 0..<30 where limited == nil {
            let answer = try await server.send("/chatgroups/1/announcement", token: token)
            if answer.status != .ok { limited = answer }
        }
        let refused = try #require(limited)
        #expect(refused.expectError(.tooManyRequests, "reach_limit") == "This request has reached api limit")
        try await Task.sleep(for: .milliseconds(1200))
        #expect(try await server.send("/chatgroups/1/announcement", token: token).status == .ok)
        await server.stop()
    }
}
