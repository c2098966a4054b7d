import Foundation
import Testing
import TrefoilJSON
import TrefoilTestSupport

/// The Easemob face and the OneBot face on one store: a group's share files are its OneBot group files, and its
/// announcement is its newest OneBot notice.
@Suite("Easemob: the same store as OneBot")
struct EasemobCrossFaceTests {
    let group: Int64 = 66_021_836_783_617

    @Test(
        "a share file uploaded through Easemob is listed by OneBot under the same id and fires group_upload on a forward WebSocket"
    )
    func shareFileReachesBots() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let bot = WSSession(port: server.port)
        #expect(try await bot.call("get_status").isOK)
        let bytes = pseudoRandomBytes(3000)
        let answer = try await server.upload(
            "/chatgroups/\(group)/share_files", name: "report.pdf", bytes: bytes, token: token)
        let fileID = try #require(answer.json["data"]?["file_id"]?.stringValue)

        let notice = try await bot.next { $0.json["notice_type"] == "group_upload" }
        #expect(notice.json["group_id"]?.intValue == group)
        #expect(notice.json["user_id"]?.intValue == 0)
        #expect(notice.json["file"]?["id"]?.stringValue == "/" + fileID)
        #expect(notice.json["file"]?["name"]?.stringValue == "report.pdf")
        #expect(notice.json["file"]?["size"]?.intValue == 3000)

        let listing = try await server.server.call("get_group_root_files", ["group_id": .int(group)])
        let files = try #require(listing.data["files"]?.arrayValue)
        #expect(files.count == 1)
        #expect(files.first?["file_id"]?.stringValue == "/" + fileID)
        let link = try await server.server.call(
            "get_group_file_url", ["group_id": .int(group), "file_id": .string("/" + fileID)])
        let url = try #require(link.string("url"))
        let viaOneBot = try await server.server.request(String(url.dropFirst(server.server.base.count)))
        #expect(viaOneBot.body.map { Array($0.readableBytesView) } == bytes)
        _ = await bot.close()
        await server.stop()
    }

    @Test("a file uploaded through OneBot is in the share-file list, downloads and deletes through Easemob")
    func oneBotUploadIsAShareFile() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let bytes = pseudoRandomBytes(2048, seed: 9)
        let upload = try await server.server.call(
            "upload_group_file", ["group_id": .int(group), "file": .string(base64(bytes)), "name": "bot.bin"])
        let oneBotID = try #require(upload.string("file_id"))
        let easemobID = String(oneBotID.dropFirst())

        let list = try await server.send("/chatgroups/\(group)/share_files", token: token)
        let rows = try #require(list.json["data"]?.arrayValue)
        #expect(rows.count == 1)
        #expect(rows.first?["file_id"]?.stringValue == easemobID)
        #expect(rows.first?["file_name"]?.stringValue == "bot.bin")
        #expect(rows.first?["file_owner"]?.stringValue == "10000")
        #expect(rows.first?["file_size"]?.intValue == 2048)
        #expect(list.json["params"] == nil)

        let download = try await server.send("/chatgroups/\(group)/share_files/\(easemobID)", token: token)
        #expect(download.bytes == bytes)
        // Another group's path does not reach it.
        try await server.send("/chatgroups/1/share_files/\(easemobID)", token: token)
            .expectError(.notFound, "resource_not_found")

        #expect(
            try await server.send("/chatgroups/\(group)/share_files/\(easemobID)", method: .delete, token: token).status
                == .ok)
        let after = try await server.server.call("get_group_root_files", ["group_id": .int(group)])
        #expect(after.data["files"]?.arrayValue?.isEmpty == true)
        await server.stop()
    }

    @Test(
        "share-file pages: pagenum from 1, pagesize clamped to 1000, newest first across folders, bad numbers refused")
    func paging() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let folder = try await server.server.call("create_group_file_folder", ["group_id": 5, "name": "docs"])
        let folderID = try #require(folder.string("folder_id"))
        var ids: [String] = []
        for index in 0..<5 {
            let answer = try await server.server.call(
                "upload_group_file",
                [
                    "group_id": 5, "file": .string(base64([UInt8(index)])), "name": .string("f\(index)"),
                    "folder": .string(index % 2 == 0 ? "/" : folderID),
                ])
            ids.append(String(try #require(answer.string("file_id")).dropFirst()))
            server.clock.advance(seconds: 1)
        }
        func page(_ query: String) async throws -> [String] {
            let answer = try await server.send("/chatgroups/5/share_files?\(query)", token: token)
            #expect(answer.status == .ok, "\(answer)")
            return answer.json["data"]?.arrayValue?.compactMap { $0["file_id"]?.stringValue } ?? []
        }
        #expect(try await page("pagenum=1&pagesize=2") == [ids[4], ids[3]])
        #expect(try await page("pagenum=3&pagesize=2") == [ids[0]])
        #expect(try await page("pagenum=4&pagesize=2") == [])
        #expect(try await page("pagesize=5000") == ids.reversed())
        for bad in ["pagesize=0", "pagenum=0", "pagenum=x", "pagesize=-3"] {
            try await server.send("/chatgroups/5/share_files?\(bad)", token: token)
                .expectError(.badRequest, "illegal_argument")
        }
        await server.stop()
    }

    @Test(
        "an announcement set through Easemob is OneBot's newest notice, and a notice sent by a bot is Easemob's announcement"
    )
    func announcementsAreNotices() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let path = "/chatgroups/\(group)/announcement"
        #expect(try await server.send(path, token: token).json["data"] == ["announcement": ""])
        _ = try await server.send(path, method: .post, json: ["announcement": "from the app"], token: token)
        let notices = try await server.server.call("_get_group_notice", ["group_id": .int(group)])
        let listed = try #require(notices.data.arrayValue)
        #expect(listed.count == 1)
        #expect(listed.first?["message"]?["text"]?.stringValue == "from the app")
        #expect(listed.first?["sender_id"]?.intValue == 0)
        #expect(listed.first?["message"]?["images"] == [])

        server.clock.advance(seconds: 1)
        let sent = try await server.server.call(
            "_send_group_notice", ["group_id": .int(group), "content": "from a bot"])
        #expect(sent.isOK, "\(sent)")
        let noticeID = try #require(sent.string("notice_id"))
        #expect(try await server.send(path, token: token).json["data"] == ["announcement": "from a bot"])
        let both = try await server.server.call("_get_group_notice", ["group_id": .int(group)])
        #expect(
            both.data.arrayValue?.compactMap { $0["message"]?["text"]?.stringValue } == ["from a bot", "from the app"])
        #expect(both.data.arrayValue?.first?["sender_id"]?.intValue == 10000)

        #expect(
            try await server.server.call(
                "_del_group_notice", ["group_id": .int(group), "notice_id": .string(noticeID)]
            ).isOK)
        #expect(try await server.send(path, token: token).json["data"] == ["announcement": "from the app"])
        let image = try await server.server.call(
            "_send_group_notice", ["group_id": .int(group), "content": "x", "image": "base64://AAAA"])
        #expect(image.retcode == 10004)
        await server.stop()
    }
}
