import Foundation
import HTTPTypes
import Testing
import TrefoilCore
import TrefoilJSON
import TrefoilTestSupport

@testable import TrefoilServer

extension ConsoleTests {
    /// What every console page carries, and what it shows of names users chose.
    @Suite("Console: pages, headers and escaping")
    struct ConsolePageTests {
        static let policy =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

        @Test(
            "pages, the script and refusals carry the CSP without inline script, nosniff and a same-origin referrer; pages are not cached"
        )
        func securityHeaders() async throws {
            let server = try await ConsoleClient.start()
            let client = try await ConsoleClient.signIn(server)
            for path in [
                "/console/sign-in", "/console/groups", "/console/group?id=5", "/console/static/console.js",
                "/console/nowhere",
            ] {
                let answer = try await client.get(path)
                #expect(answer.headers[.contentSecurityPolicy] == Self.policy, "\(path)")
                #expect(answer.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(path)")
                #expect(answer.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin", "\(path)")
            }
            #expect(try await client.get("/console/groups").headers[.cacheControl] == "no-store")
            let script = try await client.get("/console/static/console.js")
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.text.contains("XMLHttpRequest"))
            let style = try await client.get("/console/static/console.css")
            #expect(style.headers[.contentType] == "text/css; charset=utf-8")
            #expect(try await client.get("/console/nowhere").status == .notFound)
            // No inline script anywhere: the pages load the one script file.
            let page = try await client.get("/console/groups")
            #expect(page.text.contains(#"<script src="/console/static/console.js" defer></script>"#))
            #expect(page.text.components(separatedBy: "<script").count == 2)
            await server.stop()
        }

        @Test("a hostile file or folder name renders as text on the group page, the item page and the table of groups")
        func hostileNamesAreEscaped() async throws {
            let server = try await ConsoleClient.start()
            let client = try await ConsoleClient.signIn(server)
            let hostile = "<img src=x onerror=alert(1)>"
            let stored = try await client.upload(group: "9", name: hostile, bytes: Array("x".utf8))
            #expect(stored.status == .ok, "\(stored.text)")
            _ = try await server.gateway.tree.createFolder(
                named: "\"><b onmouseover=alert(2)>", in: "9", by: Member(id: "1"))
            let id = try #require(JSONParser.parse(stored.bytes)?["id"]?.stringValue)
            let escaped = "&lt;img src=x onerror=alert(1)&gt;"
            for path in ["/console/group?id=9", "/console/item?group=9&file=\(ConsoleClient.encode(id))"] {
                let page = try await client.get(path)
                #expect(page.status == .ok)
                #expect(page.text.contains(escaped), "\(path)")
                #expect(!page.text.contains("<img"), "\(path)")
                #expect(!page.text.contains("<b onmouseover"), "\(path)")
            }
            let tree = try await client.get("/console/group?id=9")
            #expect(tree.text.contains(#"data-name="&lt;img src=x onerror=alert(1)&gt;""#))
            #expect(tree.text.contains(#"data-name="&quot;&gt;&lt;b onmouseover=alert(2)&gt;""#))
            await server.stop()
        }

        @Test("the table of groups searches, sorts by usage and pages on the server")
        func groupsTable() async throws {
            let server = try await ConsoleClient.start()
            let client = try await ConsoleClient.signIn(server)
            for (group, size) in [("101", 30), ("102", 10), ("203", 20)] {
                let answer = try await client.upload(group: group, name: "f", bytes: [UInt8](repeating: 1, count: size))
                #expect(answer.status == .ok)
            }
            let rows = { (page: ConsoleAnswer) in
                page.text.matches(of: /<tr data-group="([^"]+)">/).map { String($0.1) }
            }
            #expect(rows(try await client.get("/console/groups")) == ["101", "102", "203"])
            #expect(rows(try await client.get("/console/groups?sort=usage&order=desc")) == ["101", "203", "102"])
            #expect(rows(try await client.get("/console/groups?sort=usage&order=asc")) == ["102", "203", "101"])
            let search = try await client.get("/console/groups?q=10")
            #expect(rows(search) == ["101", "102"])
            #expect(search.text.contains("2 of 3 groups match"))
            await server.stop()
        }

        @Test("a group's biggest files are listed from every folder, biggest first, with the folder each is in")
        func biggestFiles() async throws {
            let server = try await ConsoleClient.start()
            let client = try await ConsoleClient.signIn(server)
            let folder = try await server.gateway.tree.createFolder(named: "big", in: "61", by: Member(id: "1"))
            #expect(
                try await client.upload(group: "61", name: "small", bytes: [UInt8](repeating: 1, count: 10)).status
                    == .ok)
            #expect(
                try await client.upload(
                    group: "61", folder: folder.id.rawValue, name: "largest", bytes: [UInt8](repeating: 2, count: 30)
                ).status == .ok)
            #expect(
                try await client.upload(group: "61", name: "middle", bytes: [UInt8](repeating: 3, count: 20)).status
                    == .ok)
            let group = try await client.get("/console/group?id=61")
            #expect(group.text.contains(#"<a id="biggest-files" href="/console/group/biggest?id=61">"#))
            let page = try await client.get("/console/group/biggest?id=61")
            #expect(page.status == .ok)
            let names = page.text.matches(of: /<tr class="file-row" data-name="([^"]+)"/).map { String($0.1) }
            #expect(names == ["largest", "middle", "small"])
            #expect(page.text.contains(">/big</a>"))
            await server.stop()
        }
    }

    /// The overview and the health page.
    @Suite("Console: overview and health")
    struct ConsoleOverviewTests {
        @Test("the overview shows the totals, a bot connected over forward WebSocket and the last events")
        func overview() async throws {
            let server = try await ConsoleClient.start()
            let client = try await ConsoleClient.signIn(server)
            let bot = WSSession(port: server.port, headers: [.authorization: "Bearer \(ConsoleClient.token)"])
            #expect(try await bot.call("get_status").isOK)
            #expect(try await client.upload(group: "31", name: "one.bin", bytes: [1, 2, 3]).status == .ok)
            #expect(try await client.upload(group: "32", name: "same.bin", bytes: [1, 2, 3]).status == .ok)
            _ = try await bot.next { $0.json["group_id"]?.intValue == 32 }
            let page = try await client.get("/console/")
            #expect(page.status == .ok)
            let stats = Dictionary(
                page.text.matches(
                    of: /data-stat="([a-z-]+)"><span class="label">[^<]*<\/span><span class="value">([^<]*)</
                )
                .map { (String($0.1), String($0.2)) }, uniquingKeysWith: { first, _ in first })
            let stat = { (key: String) in stats[key] }
            #expect(stat("groups") == "2")
            #expect(stat("files") == "2")
            #expect(stat("bytes") == "6 B")
            #expect(stat("dedup") == "3 B")
            #expect(stat("version") == TrefoilVersion.current)
            #expect(page.text.contains(#"<tr data-role="universal"><td>forward</td><td>universal</td><td>127.0.0.1:"#))
            #expect(page.text.contains(#"<tr data-event="file_stored">"#))
            #expect(page.text.contains("same.bin"))
            await bot.close()
            await server.stop()
        }

        @Test(
            "the health page lists the start-up run, and its live check is clean, then finds a blob removed from disk")
        func health() async throws {
            let server = try await ConsoleClient.start()
            let client = try await ConsoleClient.signIn(server)
            // Above `storage.blobs.inline_max_bytes`, so that its bytes are a file on disk to remove.
            let answer = try await client.upload(
                group: "40", name: "keep.bin", bytes: [UInt8](repeating: 9, count: 20_000))
            let id = try #require(JSONParser.parse(answer.bytes)?["id"]?.stringValue)
            let page = try await client.get("/console/health")
            #expect(page.text.contains(#"<tr data-run="startup"><td>start-up clean-up</td>"#))
            #expect(!page.text.contains(#"id="check-result""#))
            let run = try await client.form("/console/health/check", [:])
            #expect(run.status == .seeOther)
            #expect(run.headers[.location] == "/console/health")
            #expect(
                try await client.get("/console/health").text.contains(
                    #"id="check-result" class="card" data-clean="true""#))

            let file = try await server.gateway.tree.file(FileID(id))
            try FileManager.default.removeItem(atPath: server.gateway.tree.blobPath(of: file)!)
            _ = try await client.form("/console/health/check", [:])
            let damaged = try await client.get("/console/health")
            #expect(damaged.text.contains(#"data-clean="false""#))
            #expect(damaged.text.contains("blob \(file.digests.sha256): missing on disk (referenced by 1 files)"))
            await server.stop()
        }
    }
}
