import Foundation
import HTTPTypes
import Testing
import TrefoilCore

@testable import TrefoilServer

extension ConsoleTests {
    /// Every change asks for the session's CSRF token; without it, or with another, it is refused before it runs.
    @Suite("Console: CSRF tokens")
    struct ConsoleCSRFTests {
        @Test("a form POST without the CSRF token or with a wrong one is refused with 403 and changes nothing")
        func formWithoutToken() async throws {
            let server = try await ConsoleClient.start()
            let client = try await ConsoleClient.signIn(server)
            let other = try await ConsoleClient.signIn(server)
            for csrf: String? in [nil, "", "wrong", other.csrf] {
                let answer = try await client.form(
                    "/console/group/folder", ["group": "77", "name": "evil"], csrf: csrf)
                #expect(answer.status == .forbidden, "\(String(describing: csrf))")
                #expect(answer.text.contains("security token"))
            }
            #expect(try await server.gateway.tree.folders(in: "77").isEmpty)
            let signOut = try await client.form("/console/sign-out", [:], csrf: "wrong")
            #expect(signOut.status == .forbidden)
            #expect(try await client.get("/console/groups").status == .ok)
            await server.stop()
        }

        @Test(
            "an upload PUT without the X-CSRF-Token header, or with a wrong one, is refused with 403 and stores nothing"
        )
        func uploadWithoutToken() async throws {
            let server = try await ConsoleClient.start()
            let client = try await ConsoleClient.signIn(server)
            for csrf: String? in [nil, "wrong"] {
                let answer = try await client.upload(group: "78", name: "a.txt", bytes: Array("abc".utf8), csrf: csrf)
                #expect(answer.status == .forbidden)
            }
            #expect(try await server.gateway.tree.fileSystemInfo(of: .group("78")).fileCount == 0)
            let accepted = try await client.upload(group: "78", name: "a.txt", bytes: Array("abc".utf8))
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect(try await server.gateway.tree.fileSystemInfo(of: .group("78")).fileCount == 1)
            await server.stop()
        }
    }
}
