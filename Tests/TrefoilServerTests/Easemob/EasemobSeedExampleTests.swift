import Foundation
import Testing
import TrefoilJSON
import TrefoilTestSupport

/// Every curl example of the Easemob/Agora documents Trefoil was specified from (chat files: upload, download,
/// thumbnail; group announcements and share files), run as written against a live server, with only the
/// placeholders replaced: the host, org, app and App ID, the token, the local file paths, and the ids the earlier
/// answers gave.
@Suite("Easemob: the documents' curl examples")
struct EasemobSeedExampleTests {
    let group = "66021836783617"

    /// Checks the success wrapper every answer shares, for `action` and the URL path after `/acme/chat`.
    func expectWrapper(_ json: JSONValue, action: String, path: String, _ server: EasemobServer) {
        #expect(json["action"]?.stringValue == action)
        #expect(json["application"]?.stringValue?.count == 36)
        #expect(json["applicationName"]?.stringValue == EasemobServer.app)
        #expect(json["organization"]?.stringValue == EasemobServer.org)
        #expect(json["uri"]?.stringValue == server.base + path)
        #expect(json["path"]?.stringValue == path)
        #expect(json["entities"] != nil)
        #expect((json["timestamp"]?.intValue ?? 0) > 1_500_000_000_000)
        #expect((json["duration"]?.intValue ?? -1) >= 0)
    }

    @Test("chat files: the upload, download and thumbnail examples work through the Agora paths")
    func chatFileExamples() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let directory = makeTempDirectory(prefix: "trefoil-seed")
        let image = try await TestImages.jpeg(width: 1200, height: 900)
        let imagePath = directory + "/IMG_2953.JPG"
        FileManager.default.createFile(atPath: imagePath, contents: Data(image))

        // The upload example quotes the file argument (`-F 'file="@…"'`), which makes curl send the path itself as
        // the `file` part's content, without a file name; the service stores whatever the part holds, and so do we.
        let quoted = try await server.curl(
            """
            curl -X POST '\(server.agoraBase)/chatfiles'  \
            -H 'Authorization: Bearer \(token)'   \
            -H 'Content-Type: multipart/form-data; boundary=---WebKitFormBoundary7MA4YWxkTrZu0gW'   \
            -H 'restrict-access: true'   \
            -H 'thumbnail-height: 180' \
            -H 'thumbnail-width: 180' \
            -F 'file="@\(imagePath)"'
            """)
        #expect(quoted.status == 200, "\(quoted.body)")
        let quotedEntity = try #require(JSONParser.parse(quoted.body)?["entities"]?.arrayValue?.first)
        let quotedSecret = try #require(quotedEntity["share-secret"]?.stringValue)
        let quotedUUID = try #require(quotedEntity["uuid"]?.stringValue)
        let stored = try await server.send(
            "/chatfiles/\(quotedUUID)", headers: [.shareSecret: quotedSecret], token: token)
        #expect(stored.text == "@\(imagePath)")

        // The same command with the usual unquoted form sends the image.
        let upload = try await server.curl(
            """
            curl -X POST '\(server.agoraBase)/chatfiles'  \
            -H 'Authorization: Bearer \(token)'   \
            -H 'Content-Type: multipart/form-data; boundary=---WebKitFormBoundary7MA4YWxkTrZu0gW'   \
            -H 'restrict-access: true'   \
            -H 'thumbnail-height: 180' \
            -H 'thumbnail-width: 180' \
            -F 'file=@\(imagePath)'
            """)
        #expect(upload.status == 200, "\(upload.body)")
        let answer = try #require(JSONParser.parse(upload.body))
        expectWrapper(answer, action: "post", path: "/chatfiles", server)
        let entities = try #require(answer["entities"]?.arrayValue)
        #expect(entities.count == 1)
        let uuid = try #require(entities[0]["uuid"]?.stringValue)
        let secret = try #require(entities[0]["share-secret"]?.stringValue)
        #expect(isUUIDID("/" + uuid))
        #expect(entities[0]["type"]?.stringValue == "chatfile")
        #expect(!secret.isEmpty && secret != quotedSecret)

        let downloaded = directory + "/image.JPG"
        let download = try await server.curl(
            """
            curl -X GET -H 'Accept: application/octet-stream' -H 'Authorization: Bearer \(token)' -H 'share-secret: \(secret)' '\(server.agoraBase)/chatfiles/\(uuid)' -o \(downloaded)
            """)
        #expect(download.status == 200)
        #expect(readFile(downloaded) == image)

        let thumbnailPath = directory + "/thumbnail.jpg"
        let thumbnail = try await server.curl(
            """
            curl -X GET -H 'Accept: application/octet-stream' -H 'Authorization: Bearer \(token)' -H 'share-secret: \(secret)' -H 'thumbnail: true' '\(server.agoraBase)/chatfiles/\(uuid)' -o \(thumbnailPath)
            """)
        #expect(thumbnail.status == 200)
        let thumbnailBytes = try #require(readFile(thumbnailPath))
        let size = try #require(TestImages.dimensions(thumbnailBytes))
        #expect(thumbnailBytes.starts(with: [0xFF, 0xD8]))
        #expect(size.width == 180 && size.height == 135)
        await server.stop()
    }

    @Test("group announcement: the get and set examples work and return the documented shapes")
    func announcementExamples() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let set = try await server.curl(
            """
            curl -X POST -H 'Content-Type: application/json' -H 'Accept: application/json' -H 'Authorization: Bearer \(token)' -d '{"announcement" : "群组公告…"}' '\(server.base)/chatgroups/\(group)/announcement'
            """)
        #expect(set.status == 200, "\(set.body)")
        let setAnswer = try #require(JSONParser.parse(set.body))
        expectWrapper(setAnswer, action: "post", path: "/chatgroups/\(group)/announcement", server)
        #expect(setAnswer["data"] == ["id": .string(group), "result": true])

        let get = try await server.curl(
            """
            curl -X GET -H 'Content-Type: application/json' -H 'Accept: application/json' -H 'Authorization: Bearer \(token)' '\(server.base)/chatgroups/\(group)/announcement'
            """)
        #expect(get.status == 200, "\(get.body)")
        let getAnswer = try #require(JSONParser.parse(get.body))
        expectWrapper(getAnswer, action: "get", path: "/chatgroups/\(group)/announcement", server)
        #expect(getAnswer["data"] == ["announcement": "群组公告…"])
        #expect(getAnswer["entities"] == [])
        await server.stop()
    }

    @Test("group share files: the upload, list, download and delete examples work and return the documented shapes")
    func shareFileExamples() async throws {
        let server = try await EasemobServer.start()
        let token = try await server.token()
        let directory = makeTempDirectory(prefix: "trefoil-seed")
        let image = try await TestImages.jpeg(width: 300, height: 200)
        let imagePath = directory + "/IMG_3.JPG"
        FileManager.default.createFile(atPath: imagePath, contents: Data(image))

        let upload = try await server.curl(
            """
            curl -X POST '\(server.base)/chatgroups/\(group)/share_files' -H 'Accept: application/json' -H 'Authorization: Bearer \(token)' -H 'content-type: multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW' -H 'restrict-access: true' -F file=@\(imagePath)
            """)
        #expect(upload.status == 200, "\(upload.body)")
        let uploaded = try #require(JSONParser.parse(upload.body))
        expectWrapper(uploaded, action: "post", path: "/chatgroups/\(group)/share_files", server)
        let data = uploaded["data"] ?? .null
        let fileID = try #require(data["file_id"]?.stringValue)
        #expect(data["file_url"]?.stringValue == "\(server.base)/chatgroups/\(group)/share_files/\(fileID)")
        #expect(data["group_id"]?.stringValue == group)
        #expect(data["file_name"]?.stringValue == "IMG_3.JPG")
        #expect(data["file_size"]?.intValue == Int64(image.count))
        let created = try #require(data["created"]?.intValue)
        #expect(abs(created - Int64(Date().timeIntervalSince1970 * 1000)) < 600_000)

        let list = try await server.curl(
            """
            curl -X GET -H 'Content-Type: application/json' -H 'Accept: application/json' -H 'Authorization: Bearer \(token)' '\(server.base)/chatgroups/\(group)/share_files?pagenum=1&pagesize=10'
            """)
        #expect(list.status == 200, "\(list.body)")
        let listed = try #require(JSONParser.parse(list.body))
        expectWrapper(listed, action: "get", path: "/chatgroups/\(group)/share_files", server)
        #expect(listed["params"] == ["pagesize": ["10"], "pagenum": ["1"]])
        #expect(
            listed["data"]
                == [
                    [
                        "file_id": .string(fileID), "file_name": "IMG_3.JPG", "file_owner": "admin",
                        "file_size": .int(Int64(image.count)), "created": .int(created),
                    ]
                ])

        let downloaded = directory + "/downloaded"
        let download = try await server.curl(
            """
            curl -X GET -H 'Accept: application/json' -H 'Authorization: Bearer \(token)' '\(server.base)/chatgroups/\(group)/share_files/\(fileID)' -o \(downloaded)
            """)
        #expect(download.status == 200)
        #expect(readFile(downloaded) == image)

        let delete = try await server.curl(
            """
            curl -X DELETE -H 'Accept: application/json' -H 'Authorization: Bearer \(token)' '\(server.base)/chatgroups/\(group)/share_files/\(fileID)'
            """)
        #expect(delete.status == 200, "\(delete.body)")
        let deleted = try #require(JSONParser.parse(delete.body))
        expectWrapper(deleted, action: "delete", path: "/chatgroups/\(group)/share_files/\(fileID)", server)
        #expect(deleted["data"] == ["group_id": .string(group), "file_id": .string(fileID), "result": true])
        let gone = try await server.send("/chatgroups/\(group)/share_files/\(fileID)", token: token)
        gone.expectError(.notFound, "resource_not_found")
        await server.stop()
    }
}
