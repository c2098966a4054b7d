import Foundation
import HTTPTypes
import QiniuFace
import Testing
import TrefoilCore
import TrefoilJSON
import TrefoilTestSupport

/// The ticket flow as the SDKs run it: a ticket, the multipart POST of its fields with the file last (or a PUT),
/// then downloads by `download_url`.
@Suite("Qiniu IM: the upload ticket flow")
struct QiniuFlowTests {
    @Test(
        "every file_type and to_type: ticket, POST of the fields with the file last, download of the same bytes",
        arguments: [
            (100, 1), (101, 1), (102, 1), (103, 1), (104, 1), (100, 2), (102, 2), (200, 2), (201, 2),
            (202, 2), (203, 2),
        ])
    func chatFlow(fileType: Int, toType: Int) async throws {
        let server = try await QiniuServer.start()
        let sender = try await server.token(user: 7)
        let ticket = try await server.ticket(
            "/file/upload/chat?file_type=\(fileType)&to_id=42&to_type=\(toType)", token: sender)
        #expect(ticket.method == "POST")
        #expect(Set(ticket.fields.keys) == ["OSSAccessKeyId", "policy", "signature", "key"])
        #expect(ticket.uploadURL == server.server.base + "/file/upload/put")
        let bytes = pseudoRandomBytes(3000, seed: UInt64(fileType * 10 + toType))
        let uploaded = try await server.upload(ticket, bytes: bytes)
        #expect(uploaded.status == .ok, "\(uploaded)")
        #expect(uploaded.json["data"]?["download_url"]?.stringValue == ticket.downloadURL)
        // The sender and the other side of a conversation read it; a stranger does not.
        let reader: Int64 = toType == 1 ? 42 : 99
        let download = try await server.get(
            ticket.downloadURL, headers: QiniuServer.headers(try await server.token(user: reader)))
        #expect(download.status == .ok && download.bytes == bytes, "\(download)")
        let own = try await server.get(ticket.downloadURL, headers: QiniuServer.headers(sender))
        #expect(own.bytes == bytes)
        if toType == 1 {
            try await server.get(ticket.downloadURL, headers: QiniuServer.headers(try await server.token(user: 5)))
                .expectFailure(.forbidden)
        }
        await server.stop()
    }

    @Test("a PUT ticket takes the raw body at its upload_url")
    func putFlow() async throws {
        let server = try await QiniuServer.start { $0.qiniuIM.uploadMethod = .put }
        let token = try await server.token(user: 7)
        let ticket = try await server.ticket("/file/upload/chat?file_type=100&to_id=8&to_type=1", token: token)
        #expect(ticket.method == "PUT" && ticket.uploadURL.contains("?"))
        let bytes = pseudoRandomBytes(5000)
        #expect(try await server.upload(ticket, bytes: bytes).status == .ok)
        #expect(try await server.get(ticket.downloadURL, headers: QiniuServer.headers(token)).bytes == bytes)
        await server.stop()
    }

    @Test("avatars: one current file per user and per group; a new upload replaces the old, object_name stays valid")
    func avatars() async throws {
        let server = try await QiniuServer.start()
        let token = try await server.token(user: 7)
        let first = try await server.ticket("/file/upload/avatar/user", token: token)
        #expect(try await server.upload(first, bytes: pseudoRandomBytes(100, seed: 1)).status == .ok)
        let second = try await server.ticket("/file/upload/avatar/user", token: token)
        #expect(second.downloadURL == first.downloadURL)
        #expect(try await server.upload(second, bytes: pseudoRandomBytes(100, seed: 2)).status == .ok)
        let current = try await server.get(first.downloadURL, headers: QiniuServer.headers(token))
        #expect(current.bytes == pseudoRandomBytes(100, seed: 2))
        let space = Owner(.avatar, "qiniu/\(QiniuServer.appID)/user/7")
        #expect(try await server.server.gateway.tree.files(of: space, limit: 10, offset: 0).count == 1)

        let group = try await server.ticket("/file/upload/avatar/group?group_id=55", token: token)
        #expect(try await server.upload(group, bytes: pseudoRandomBytes(64, seed: 3)).status == .ok)
        let groupAvatar = try await server.get(group.downloadURL, headers: QiniuServer.headers(token))
        #expect(groupAvatar.bytes == pseudoRandomBytes(64, seed: 3))
        try await server.get("/file/upload/avatar/group", headers: QiniuServer.headers(token)).expectFailure(
            .badRequest)
        await server.stop()
    }

    @Test("a group's shared files (2xx) are its OneBot group files and fire group_upload")
    func sharedFilesReachBots() async throws {
        let server = try await QiniuServer.start()
        let bot = WSSession(port: server.server.port)
        #expect(try await bot.call("get_status").isOK)
        let token = try await server.token(user: 7)
        let ticket = try await server.ticket("/file/upload/chat?file_type=202&to_id=321&to_type=2", token: token)
        #expect(try await server.upload(ticket, bytes: pseudoRandomBytes(2000), name: "photo.png").status == .ok)
        let notice = try await bot.next { $0.json["notice_type"] == "group_upload" }
        #expect(notice.json["group_id"]?.intValue == 321)
        #expect(notice.json["user_id"]?.intValue == 7)
        #expect(notice.json["file"]?["name"]?.stringValue == "photo.png")
        let listing = try await server.server.call("get_group_root_files", ["group_id": 321])
        #expect(listing.data["files"]?.arrayValue?.count == 1)
        _ = await bot.close()
        await server.stop()
    }

    @Test("forwarding shares the bytes: a new download_url for the other conversation, one blob on disk")
    func forward() async throws {
        let server = try await QiniuServer.start()
        let token = try await server.token(user: 7)
        let ticket = try await server.ticket("/file/upload/chat?file_type=100&to_id=8&to_type=1", token: token)
        let bytes = pseudoRandomBytes(4096)
        #expect(try await server.upload(ticket, bytes: bytes).status == .ok)
        let sign = try #require(URLComponents(string: ticket.downloadURL)?.queryItems?.first?.value)
        let forwarded = try await server.get(
            "/file/upload/forward?file_sign=\(sign.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&to_id=9&to_type=1",
            headers: QiniuServer.headers(token))
        #expect(forwarded.status == .ok, "\(forwarded)")
        let url = try #require(forwarded.json["data"]?.stringValue)
        #expect(url != ticket.downloadURL)
        let reader = try await server.token(user: 9)
        #expect(try await server.get(url, headers: QiniuServer.headers(reader)).bytes == bytes)
        #expect(try await server.server.storedBlobs().count == 1)
        await server.stop()
    }

    @Test("store_token downloads without headers; a forged or expired one does not")
    func storeToken() async throws {
        let server = try await QiniuServer.start()
        let token = try await server.token(user: 7)
        let ticket = try await server.ticket("/file/upload/chat?file_type=100&to_id=8&to_type=1", token: token)
        #expect(try await server.upload(ticket, bytes: [1, 2, 3]).status == .ok)
        let storeToken = QiniuStoreTokens.mint(
            signer: server.server.gateway.signer, appID: QiniuServer.appID, user: 8, expires: server.clock.read() + 60)
        let encoded = storeToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        #expect(try await server.get(ticket.downloadURL + "&store_token=\(encoded)").bytes == [1, 2, 3])
        try await server.get(ticket.downloadURL + "&store_token=\(encoded)x").expectFailure(.unauthorized)
        server.clock.advance(seconds: 61)
        try await server.get(ticket.downloadURL + "&store_token=\(encoded)").expectFailure(.unauthorized)
        await server.stop()
    }
}
