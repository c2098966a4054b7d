import Foundation
import HTTPTypes
import Testing
import TrefoilCore
import TrefoilJSON
import TrefoilTestSupport

@testable import TrefoilServer

extension ConsoleTests {
    /// The console changes a group's files through the store calls the bot API uses, so bots see the same events.
    @Suite("Console: uploads and changes to a group's files")
    struct ConsoleChangeTests {
        @Test(
            "a console upload is a raw PUT that reaches a forward WebSocket bot as group_upload, and downloads byte for byte"
        )
        func uploadReachesBots() async throws {
            let server = try await ConsoleClient.start()
            let client = try await ConsoleClient.signIn(server)
            let bot = WSSession(port: server.port, headers: [.authorization: "Bearer \(ConsoleClient.token)"])
            #expect(try await bot.call("get_status").isOK)
            let bytes = pseudoRandomBytes(200_000)
            let answer = try await client.upload(group: "4242", name: "报告 v2.pdf", bytes: bytes)
            #expect(answer.status == .ok, "\(answer.text)")
            let json = try #require(JSONParser.parse(answer.bytes))
            let id = try #require(json["id"]?.stringValue)
            #expect(json["name"] == "报告 v2.pdf")

            let notice = try await bot.next { $0.json["notice_type"] == "group_upload" }
            #expect(notice.json["group_id"]?.intValue == 4242)
            #expect(notice.json["user_id"]?.intValue == 0)
            #expect(notice.json["file"]?["id"]?.stringValue == id)
            #expect(notice.json["file"]?["name"] == "报告 v2.pdf")
            #expect(notice.json["file"]?["size"]?.intValue == 200_000)

            let download = try await client.get("/console/files\(id)")
            #expect(download.status == .ok)
            #expect(download.bytes == bytes)
            #expect(
                download.headers[.contentDisposition]?.contains("filename*=UTF-8''%E6%8A%A5%E5%91%8A%20v2.pdf") == true)
            // The download asks for the session too.
            #expect(try await ConsoleClient(server: server).get("/console/files\(id)").status == .unauthorized)
            await bot.close()
            await server.stop()
        }

        @Test("create folder, rename a file and a folder, move a file and delete each change the store and say so")
        func folderAndFileChanges() async throws {
            let server = try await ConsoleClient.start()
            let tree = server.gateway.tree
            let client = try await ConsoleClient.signIn(server)
            let uploaded = try await client.upload(group: "5", name: "a.txt", bytes: Array("hello".utf8))
            let fileID = try #require(JSONParser.parse(uploaded.bytes)?["id"]?.stringValue)

            let created = try await client.form("/console/group/folder", ["group": "5", "parent": "/", "name": "docs"])
            #expect(created.status == .seeOther)
            #expect(created.headers[.location] == "/console/group?id=5")
            let folder = try #require(try await tree.folders(in: "5").first)
            #expect(folder.name == "docs")
            #expect(try await client.get("/console/group?id=5").text.contains("Folder “docs” created."))

            let renamed = try await client.form(
                "/console/group/rename", ["group": "5", "file": fileID, "name": "b.txt"])
            #expect(renamed.status == .seeOther)
            #expect(try await tree.file(FileID(fileID), of: .group("5")).name == "b.txt")

            let moved = try await client.form(
                "/console/group/move", ["group": "5", "file": fileID, "target": folder.id.rawValue])
            #expect(
                moved.headers[.location] == "/console/group?id=5&folder=\(ConsoleClient.encode(folder.id.rawValue))")
            #expect(try await tree.file(FileID(fileID), of: .group("5")).folderID == folder.id)
            let inside = try await client.get(moved.headers[.location]!)
            #expect(inside.text.contains(#"data-name="b.txt""#))

            let folderRenamed = try await client.form(
                "/console/group/rename", ["group": "5", "folder": folder.id.rawValue, "name": "papers"])
            #expect(folderRenamed.status == .seeOther)
            #expect(try await tree.folder(folder.id, in: "5").name == "papers")

            let conflict = try await client.form(
                "/console/group/folder", ["group": "5", "parent": "/", "name": "papers"])
            #expect(conflict.status == .seeOther)
            #expect(
                try await client.get("/console/group?id=5").text.contains("A folder of that name is already there."))

            let deletedFile = try await client.form("/console/group/delete", ["group": "5", "file": fileID])
            #expect(deletedFile.status == .seeOther)
            if case .unknown = try await tree.lookup(FileID(fileID)) {} else { Issue.record("the file is still there") }
            let deletedFolder = try await client.form(
                "/console/group/delete", ["group": "5", "folder": folder.id.rawValue])
            #expect(deletedFolder.status == .seeOther)
            #expect(try await tree.folders(in: "5").isEmpty)
            #expect(try await tree.fileSystemInfo(of: .group("5")).fileCount == 0)
            await server.stop()
        }
    }

    /// Users' private files, and the spaces the console shows read-only.
    @Suite("Console: private files and other spaces")
    struct ConsoleSpaceTests {
        @Test(
            "a bot's private file is listed under its user, downloads, and is deleted from the console; other kinds have no delete"
        )
        func privateFiles() async throws {
            let server = try await ConsoleClient.start()
            let client = try await ConsoleClient.signIn(server)
            let uploaded = try await server.call(
                "upload_private_file", ["user_id": 606, "file": .string(base64([7, 7, 7, 7])), "name": "mine.bin"])
            #expect(uploaded.isOK, "\(uploaded)")
            let users = try await client.get("/console/spaces?kind=user")
            #expect(users.text.contains(#"<tr data-owner="606">"#))
            let space = try await client.get("/console/space?kind=user&id=606")
            #expect(space.status == .ok)
            let id = try #require(
                space.text.firstMatch(of: /data-name="mine.bin" data-id="([^"]+)"/).map { String($0.1) })
            #expect(space.text.contains(#"<form class="delete-file""#))
            #expect(try await client.get("/console/files\(id)").bytes == [7, 7, 7, 7])

            let deleted = try await client.form("/console/space/delete", ["kind": "user", "owner": "606", "file": id])
            #expect(deleted.status == .seeOther)
            #expect(deleted.headers[.location] == "/console/space?kind=user&id=606")
            #expect(try await server.gateway.tree.fileSystemInfo(of: .user("606")).fileCount == 0)
            #expect(try await client.get(deleted.headers[.location]!).text.contains("“mine.bin” deleted."))

            // Only private files are deleted here: the other kinds are read-only.
            let refused = try await client.form("/console/space/delete", ["kind": "app", "owner": "a", "file": id])
            #expect(refused.status == .badRequest)
            let apps = try await client.get("/console/space?kind=app&id=a")
            #expect(apps.status == .ok)
            #expect(!apps.text.contains("delete-file"))
            await server.stop()
        }
    }
}
