import Foundation
import HTTPTypes
import Testing
import TrefoilJSON
import TrefoilTestSupport

/// `thumbnail: true` on a chat-file download: real images made by libvips, scaled by libvips in the server.
@Suite("Easemob: thumbnails")
struct EasemobThumbnailTests {
    func uploadChatFile(
        _ server: EasemobServer, _ bytes: [UInt8], name: String, headers: HTTPFields = [:], token: String
    ) async throws -> String {
        let answer = try await server.upload("/chatfiles", name: name, bytes: bytes, headers: headers, token: token)
        #expect(answer.status == .ok, "\(answer)")
        return try #require(answer.json["entities"]?.arrayValue?.first?["uuid"]?.stringValue)
    }

    func thumbnail(_ server: EasemobServer, _ uuid: String, token: String) async throws -> EasemobAnswer {
        try await server.send("/chatfiles/\(uuid)", headers: [.thumbnail: "true"], token: token)
    }

    @Test("a JPEG over 10 KB gets a JPEG that fits the default 170 × 170 box with its aspect ratio, made once")
    func jpegFitsTheDefaultBox() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let image = try await TestImages.jpeg(width: 1000, height: 500)
        #expect(image.count > 10 * 1024)
        let uuid = try await uploadChatFile(server, image, name: "wide.jpg", token: token)
        let first = try await thumbnail(server, uuid, token: token)
        #expect(first.status == .ok)
        #expect(first.headers[.contentType] == "image/jpeg")
        #expect(first.bytes.starts(with: [0xFF, 0xD8]))
        let size = try #require(TestImages.dimensions(first.bytes))
        #expect(size.width == 170 && size.height == 85)
        #expect(first.headers[.eTag] == "\"\(sha256Hex(first.bytes))\"")
        #expect(first.headers[.contentDisposition]?.contains("wide.jpg") == true)
        // Stored as a blob of its own, served the same the second time.
        #expect(try await server.isStored(sha256Hex(first.bytes)))
        let second = try await thumbnail(server, uuid, token: token)
        #expect(second.bytes == first.bytes)
        // Without the header (or with false) the original comes back.
        #expect(try await server.send("/chatfiles/\(uuid)", token: token).bytes == image)
        #expect(
            try await server.send("/chatfiles/\(uuid)", headers: [.thumbnail: "false"], token: token).bytes == image)
        await server.stop()
    }

    @Test("the box given at upload decides the size; an image smaller than the box is not enlarged")
    func boxFromUpload() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let tall = try await TestImages.jpeg(width: 400, height: 800)
        let uuid = try await uploadChatFile(
            server, tall, name: "tall.jpg", headers: [.thumbnailWidth: "100", .thumbnailHeight: "300"], token: token
        )
        let size = try #require(TestImages.dimensions(try await thumbnail(server, uuid, token: token).bytes))
        #expect(size.width == 100 && size.height == 200)
        let small = try await TestImages.jpeg(width: 400, height: 300)
        #expect(small.count > 10 * 1024)
        let smallID = try await uploadChatFile(
            server, small, name: "small.jpg", headers: [.thumbnailWidth: "1000", .thumbnailHeight: "1000"],
            token: token)
        let kept = try #require(TestImages.dimensions(try await thumbnail(server, smallID, token: token).bytes))
        #expect(kept.width == 400 && kept.height == 300)
        await server.stop()
    }

    @Test("a PNG with transparency gets a PNG thumbnail that keeps its alpha channel")
    func alphaStaysPNG() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let image = try await TestImages.pngWithAlpha(width: 600, height: 400)
        let uuid = try await uploadChatFile(server, image, name: "logo.png", token: token)
        let answer = try await thumbnail(server, uuid, token: token)
        #expect(answer.headers[.contentType] == "image/png")
        let size = try #require(TestImages.dimensions(answer.bytes))
        #expect(size.width == 170 && (113...114).contains(size.height))
        // IHDR colour type 6: RGBA.
        #expect(answer.bytes.count > 25 && answer.bytes[25] == 6)
        await server.stop()
    }

    @Test("an image of at most 10 KB is its own thumbnail, and a file that is not an image is served as it is")
    func smallImagesAndNonImages() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let tiny = try await TestImages.tinyPNG()
        #expect(tiny.count <= 10 * 1024)
        let tinyID = try await uploadChatFile(server, tiny, name: "dot.png", token: token)
        #expect(try await thumbnail(server, tinyID, token: token).bytes == tiny)
        let text = pseudoRandomBytes(20_000)
        let textID = try await uploadChatFile(server, text, name: "notes.bin", token: token)
        let answer = try await thumbnail(server, textID, token: token)
        #expect(answer.status == .ok && answer.bytes == text)
        await server.stop()
    }

    @Test(
        "a decompression bomb (a PNG claiming 50,000 × 50,000 pixels) is refused with 400 and the server keeps serving")
    func bombIsRefused() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        var bomb = pngBomb(width: 50_000, height: 50_000)
        bomb += pseudoRandomBytes(12 * 1024)  // past the 10 KB rule, so a thumbnail would have to be made
        let uuid = try await uploadChatFile(server, bomb, name: "bomb.png", token: token)
        let answer = try await thumbnail(server, uuid, token: token)
        let description = answer.expectError(.badRequest, "illegal_argument")
        #expect(description.contains("50000 × 50000"))
        #expect(try await server.send("/chatfiles/\(uuid)", token: token).bytes == bomb)
        #expect(try await server.server.call("get_status").isOK)
        await server.stop()
    }

    @Test("a thumbnail blob is collected with its source: deleting the last file of the image removes its bytes")
    func derivedBlobIsCollected() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let image = try await TestImages.jpeg(width: 800, height: 600)
        let upload = try await server.upload("/chatgroups/8/share_files", name: "p.jpg", bytes: image, token: token)
        let fileID = try #require(upload.json["data"]?["file_id"]?.stringValue)
        let thumb = try await server.send(
            "/chatgroups/8/share_files/\(fileID)", headers: [.thumbnail: "true"], token: token)
        let thumbSize = try #require(TestImages.dimensions(thumb.bytes))
        #expect(thumbSize.width == 170 && (127...128).contains(thumbSize.height))
        let thumbSHA = sha256Hex(thumb.bytes)
        #expect(try await server.isStored(thumbSHA))
        _ = try await server.send("/chatgroups/8/share_files/\(fileID)", method: .delete, token: token)
        try await server.server.gateway.tree.collectUnreferencedBlobs()
        #expect(try await !server.isStored(thumbSHA))
        #expect(try await !server.isStored(sha256Hex(image)))
        #expect(try await server.server.gateway.tree.checkConsistency(repair: false).isClean)
        await server.stop()
    }
}
