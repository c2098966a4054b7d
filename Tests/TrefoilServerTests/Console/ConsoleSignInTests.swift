import Foundation
import HTTPTypes
import Testing
import TrefoilConsole

@testable import TrefoilServer

extension ConsoleTests {
    /// Signing in to the console: the access token (or `console.password`) for a session cookie only the console sees.
    @Suite("Console: sign-in and sessions")
    struct ConsoleSignInTests {
        @Test("the access token signs in for an HttpOnly, SameSite=Strict session cookie scoped to /console")
        func rightTokenSignsIn() async throws {
            let server = try await ConsoleClient.start()
            let answer = try await ConsoleClient(server: server).form(
                "/console/sign-in", ["token": ConsoleClient.token], csrf: nil)
            #expect(answer.status == .seeOther)
            #expect(answer.headers[.location] == "/console/")
            let cookie = try #require(answer.sessionCookie)
            #expect(cookie.value.count == 43)
            #expect(cookie.attributes["httponly"] == "")
            #expect(cookie.attributes["samesite"] == "Strict")
            #expect(cookie.attributes["path"] == "/console")
            #expect(cookie.attributes["secure"] == nil)
            #expect(cookie.attributes["max-age"] == "43200")
            let client = try await ConsoleClient.signIn(server)
            let groups = try await client.get("/console/groups")
            #expect(groups.status == .ok)
            #expect(groups.text.contains(#"id="groups-table""#))
            await server.stop()
        }

        @Test("behind a TLS proxy (X-Forwarded-Proto: https) the session cookie is Secure")
        func secureBehindProxy() async throws {
            let server = try await ConsoleClient.start()
            let answer = try await ConsoleClient(server: server).send(
                "/console/sign-in", method: .post,
                headers: [
                    .contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Forwarded-Proto")!: "https",
                ],
                body: Array("token=\(ConsoleClient.token)".utf8))
            #expect(answer.sessionCookie?.attributes["secure"] == "")
            await server.stop()
        }

        @Test("a wrong token, or none, is refused with 401, the sign-in page and no cookie")
        func wrongTokenRefused() async throws {
            let server = try await ConsoleClient.start()
            for given in ["wrong", ConsoleClient.token + "x", ""] {
                let answer = try await ConsoleClient(server: server).form(
                    "/console/sign-in", ["token": given], csrf: nil)
                #expect(answer.status == .unauthorized)
                #expect(answer.sessionCookie == nil)
                #expect(answer.text.contains(#"id="sign-in-form""#))
                #expect(answer.text.contains("That is not the right token or password."))
            }
            await server.stop()
        }

        @Test("without a session a page redirects to sign-in, and a change is refused with 401")
        func noSessionRedirects() async throws {
            let server = try await ConsoleClient.start()
            let anonymous = ConsoleClient(server: server)
            for path in ["/console/", "/console/groups", "/console/group?id=1", "/console/health"] {
                let answer = try await anonymous.get(path)
                #expect(answer.status == .seeOther, "\(path)")
                #expect(answer.headers[.location] == "/console/sign-in", "\(path)")
            }
            var forged = anonymous
            forged.cookie = "trefoil_console=not-a-session"
            #expect(try await forged.get("/console/groups").status == .seeOther)
            let post = try await forged.form("/console/group/folder", ["group": "1", "name": "x"], csrf: "x")
            #expect(post.status == .unauthorized)
            #expect(try await server.gateway.tree.folders(in: "1").isEmpty)
            await server.stop()
        }

        @Test("sign-out ends the session: its cookie opens nothing afterwards")
        func signOut() async throws {
            let server = try await ConsoleClient.start()
            let client = try await ConsoleClient.signIn(server)
            let answer = try await client.form("/console/sign-out", [:])
            #expect(answer.status == .seeOther)
            #expect(answer.headers[.location] == "/console/sign-in")
            #expect(answer.sessionCookie?.attributes["max-age"] == "0")
            #expect(try await client.get("/console/groups").status == .seeOther)
            await server.stop()
        }

        @Test("after 10 wrong sign-ins within a minute every sign-in is refused with 429 until the minute has passed")
        func guessingIsBounded() async throws {
            let clock = TestClock()
            let server = try await ConsoleClient.start(clock: clock)
            let browser = ConsoleClient(server: server)
            for attempt in 0..<10 {
                let answer = try await browser.form("/console/sign-in", ["token": "guess-\(attempt)"], csrf: nil)
                #expect(answer.status == .unauthorized)
            }
            let refused = try await browser.form("/console/sign-in", ["token": ConsoleClient.token], csrf: nil)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.sessionCookie == nil)
            #expect(refused.text.contains("Too many wrong sign-ins"))
            clock.advance(seconds: 61)
            _ = try await ConsoleClient.signIn(server)
            await server.stop()
        }

        @Test("a session ends session_ttl_seconds after sign-in")
        func sessionExpires() async throws {
            let clock = TestClock()
            let server = try await ConsoleClient.start(clock: clock) { $0.console.sessionTTLSeconds = 600 }
            let client = try await ConsoleClient.signIn(server)
            clock.advance(seconds: 599)
            #expect(try await client.get("/console/groups").status == .ok)
            clock.advance(seconds: 1)
            let expired = try await client.get("/console/groups")
            #expect(expired.status == .seeOther)
            #expect(expired.headers[.location] == "/console/sign-in")
            await server.stop()
        }

        @Test("console.password replaces the access token for sign-in")
        func passwordReplacesToken() async throws {
            let server = try await ConsoleClient.start { $0.console.password = "console-only-password" }
            let refused = try await ConsoleClient(server: server).form(
                "/console/sign-in", ["token": ConsoleClient.token], csrf: nil)
            #expect(refused.status == .unauthorized)
            #expect(refused.text.contains("console.password"))
            _ = try await ConsoleClient.signIn(server, with: "console-only-password")
            await server.stop()
        }

        @Test(
            "with no token and no password the page says access is open, sign-in needs nothing, and the gateway binds loopback"
        )
        func openAccess() async throws {
            let server = try await ConsoleClient.start(token: "") { $0.server.host = "0.0.0.0" }
            let page = try await ConsoleClient(server: server).get("/console/sign-in")
            #expect(page.text.contains(#"id="open-access""#))
            #expect(!page.text.contains(#"id="token""#))
            let client = try await ConsoleClient.signIn(server, with: "")
            #expect(try await client.get("/console/groups").status == .ok)
            let console = try #require(server.gateway.faces.first { $0 is ConsoleFace })
            #expect(console.openAccess != nil)
            #expect(server.gateway.bindHost == "127.0.0.1")
            await server.stop()
        }
    }
}
