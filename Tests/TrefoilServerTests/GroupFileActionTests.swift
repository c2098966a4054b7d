import Foundation
import OneBotV11
import Testing
import TrefoilJSON
import TrefoilTestSupport

/// Every action of docs/actions.md against a live server, over HTTP and over WebSocket.
@Suite("Group file actions", .timeLimit(.minutes(3)), .stopsLiveServers)
struct GroupFileActionTests {
    @Test(
        "folders: create (both name params), conflict, missing parent, rename (both names), delete (both aliases)",
        arguments: Transport.allCases)
    func folders(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let bot = transport.caller(server)
        let docs = try await bot.ok("create_group_file_folder", ["group_id": 100, "name": "docs"])
        let docsID = try #require(docs["folder_id"]?.stringValue)
        #expect(isUUIDID(docsID))
        #expect(docs["folder_name"] == "docs")
        #expect(docs["group_id"] == 100)
        #expect(docs["parent_id"] == "/")
        #expect(docs["parent_folder_id"] == "/")
        #expect(docs["creator"] == 10000)
        #expect(docs["creator_uin"] == 10000)
        #expect(docs["creator_name"] == "Trefoil")
        #expect(docs["total_file_count"] == 0)
        #expect(docs["create_time"]?.intValue == docs["modify_time"]?.intValue)

        let sub = try await bot.ok(
            "create_group_file_folder", ["group_id": "100", "folder_name": "sub", "parent_id": .string(docsID)])
        #expect(sub["parent_id"] == .string(docsID))
        try await bot.fails(
            "create_group_file_folder", ["group_id": 100, "name": "docs"], retcode: 35003, msg: "NAME_CONFLICT")
        try await bot.fails(
            "create_group_file_folder", ["group_id": 100, "name": "x", "parent_id": "/nope"], retcode: 35002,
            msg: "FOLDER_NOT_FOUND")
        let bad = try await bot.fails(
            "create_group_file_folder", ["group_id": 100, "name": "a/b"], retcode: 10003, msg: "BAD_PARAM")
        #expect(bad == "invalid [name]: a folder name cannot contain /")
        #expect(
            try await bot.fails("create_group_file_folder", ["group_id": 100], retcode: 10003, msg: "BAD_PARAM")
                == "lack of [name]")

        #expect(
            try await bot.ok("rename_group_folder", ["group_id": 100, "folder_id": .string(docsID), "name": "papers"])
                == .null)
        _ = try await bot.ok(
            "rename_group_file_folder", ["group_id": 100, "folder_id": .string(docsID), "new_folder_name": "notes"])
        let root = try await bot.ok("get_group_root_files", ["group_id": 100])
        #expect(root["folders"]?.arrayValue?.map { $0["folder_name"] } == ["notes"])
        try await bot.fails(
            "rename_group_folder", ["group_id": 100, "folder_id": "/nope", "name": "x"], retcode: 35002,
            msg: "FOLDER_NOT_FOUND")

        _ = try await bot.ok("delete_group_file_folder", ["group_id": 100, "folder": .string(docsID)])
        try await bot.fails(
            "get_group_files_by_folder", ["group_id": 100, "folder_id": .string(docsID)], retcode: 35002,
            msg: "FOLDER_NOT_FOUND")
        try await bot.fails(
            "delete_group_folder", ["group_id": 100, "folder_id": .string(docsID)], retcode: 35002,
            msg: "FOLDER_NOT_FOUND")
        await (bot as? WSSession)?.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("upload, list, page, info, url, rename, move, trans and delete a group file", arguments: Transport.allCases)
    func fileLifecycle(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let bot = transport.caller(server)
        let folder = try await bot.ok("create_group_file_folder", ["group_id": 7, "name": "inbox"])
        let folderID = try #require(folder["folder_id"]?.stringValue)
        let bytes = pseudoRandomBytes(1000)

        let upload = try await bot.ok(
            "upload_group_file",
            ["group_id": 7, "file": .string(base64(bytes)), "name": "data.bin", "folder": .string(folderID)])
        let fileID = try #require(upload["file_id"]?.stringValue)
        #expect(isUUIDID(fileID))
        #expect(upload["busid"] == 102)
        #expect(upload["bizid"] == 102)
        #expect((upload["msg_id"]?.intValue ?? -1) >= 0)
        #expect(upload["md5"] == .string(md5Hex(bytes)))
        #expect(upload["sha"] == .string(sha1Hex(bytes)))
        #expect(upload["sha256"] == .string(sha256Hex(bytes)))
        #expect(upload["sha3"] == "")
        #expect(upload["file_size"] == 1000)
        #expect(upload["folder_id"] == .string(folderID))
        #expect(upload["url"]?.stringValue?.hasPrefix(server.base + "/files" + fileID + "/data.bin?expires=") == true)

        // The folder_id alias, and a second file for ordering and paging.
        let second = try await bot.ok(
            "upload_group_file",
            ["group_id": 7, "file": .string(base64([1, 2, 3])), "name": "b.txt", "folder_id": .string(folderID)])
        let root = try await bot.ok("get_group_root_files", ["group_id": 7])
        #expect(root["files"] == [])
        #expect(root["folders"]?.arrayValue?.first?["total_file_count"] == 2)
        let listing = try await bot.ok("get_group_files_by_folder", ["group_id": 7, "folder": .string(folderID)])
        let files = try #require(listing["files"]?.arrayValue)
        #expect(files.count == 2)
        #expect(listing["folders"] == [])
        let listed = try #require(files.first { $0["file_id"] == .string(fileID) })
        for key in [
            "group_id", "file_id", "file_name", "busid", "file_size", "upload_time", "dead_time", "modify_time",
            "download_times", "uploader", "uploader_name", "md5", "sha", "sha3", "folder_id", "sha256",
        ] {
            #expect(listed[key] != nil, "File object lacks \(key)")
        }
        #expect(listed["file_name"] == "data.bin")
        #expect(listed["dead_time"] == 0)
        #expect(listed["uploader"] == 10000)
        let page = try await bot.ok(
            "get_group_files_by_folder",
            ["group_id": 7, "folder_id": .string(folderID), "file_count": "1", "start_index": "1"])
        #expect(page["files"]?.arrayValue?.count == 1)
        #expect(page["files"]?.arrayValue?.first?["file_id"] == files[1]["file_id"])

        let info = try await bot.ok("get_group_file_system_info", ["group_id": 7])
        #expect(
            info == [
                "file_count": 2, "limit_count": 10000, "used_space": 1003, "total_space": 10_737_418_240, "group_id": 7,
            ])

        let url = try await bot.ok("get_group_file_url", ["group_id": 7, "file_id": .string(fileID), "busid": 102])
        #expect(url["url"]?.stringValue?.contains("/files" + fileID) == true)

        _ = try await bot.ok(
            "rename_group_file", ["group_id": 7, "file_id": .string(fileID), "new_name": "renamed.bin"])
        try await bot.fails(
            "move_group_file",
            [
                "group_id": 7, "file_id": .string(fileID), "target_parent_directory": "/",
                "current_parent_directory": "/",
            ],
            retcode: 35001, msg: "FILE_NOT_FOUND")
        try await bot.fails(
            "move_group_file", ["group_id": 7, "file_id": .string(fileID), "target_directory": "/missing"],
            retcode: 35002, msg: "FOLDER_NOT_FOUND")
        _ = try await bot.ok(
            "move_group_file",
            ["group_id": 7, "file_id": .string(fileID), "target_directory": "/", "parent_directory": .string(folderID)])
        let moved = try await bot.ok("get_group_root_files", ["group_id": 7])
        #expect(moved["files"]?.arrayValue?.map { $0["file_name"] } == ["renamed.bin"])
        #expect(try await bot.ok("trans_group_file", ["group_id": 7, "file_id": .string(fileID)]) == .null)

        _ = try await bot.ok("delete_group_file", ["group_id": 7, "file_id": .string(fileID), "busid": 102])
        try await bot.fails(
            "delete_group_file", ["group_id": 7, "file_id": .string(fileID)], retcode: 35001, msg: "FILE_NOT_FOUND")
        try await bot.fails(
            "get_group_file_url", ["group_id": 7, "file_id": .string(fileID)], retcode: 35001, msg: "FILE_NOT_FOUND")
        try await bot.fails(
            "rename_group_file", ["group_id": 8, "file_id": second["file_id"] ?? "", "new_name": "x"], retcode: 35001,
            msg: "FILE_NOT_FOUND")
        #expect(try await bot.ok("get_group_file_system_info", ["group_id": 7])["file_count"] == 1)
        await (bot as? WSSession)?.close()
        await server.stop()
        server.removeFiles()
    }

    @Test(
        "an id with a NUL and more text after it names nothing: file and folder actions fail NOT_FOUND and change nothing",
        arguments: Transport.allCases)
    func idsWithNUL(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let bot = transport.caller(server)
        let folder = try await bot.ok("create_group_file_folder", ["group_id": 9, "name": "docs"])
        let folderID = try #require(folder["folder_id"]?.stringValue)
        let file = try await bot.ok(
            "upload_group_file", ["group_id": 9, "file": .string(base64([1, 2, 3])), "name": "a.bin"])
        let fileID = try #require(file["file_id"]?.stringValue)
        let before = try await bot.ok("get_group_root_files", ["group_id": 9])
        let badFile = JSONValue.string(fileID + "\u{0}garbage")
        let badFolder = JSONValue.string(folderID + "\u{0}garbage")

        for (action, params) in [
            ("get_group_file_url", ["group_id": 9, "file_id": badFile]),
            ("rename_group_file", ["group_id": 9, "file_id": badFile, "new_name": "b.bin"]),
            ("move_group_file", ["group_id": 9, "file_id": badFile, "target_directory": .string(folderID)]),
            ("trans_group_file", ["group_id": 9, "file_id": badFile]),
            ("delete_group_file", ["group_id": 9, "file_id": badFile]),
        ] as [(String, JSONValue)] {
            try await bot.fails(action, params, retcode: 35001, msg: "FILE_NOT_FOUND")
        }
        for (action, params) in [
            ("get_group_files_by_folder", ["group_id": 9, "folder_id": badFolder]),
            ("rename_group_folder", ["group_id": 9, "folder_id": badFolder, "name": "renamed"]),
            ("delete_group_folder", ["group_id": 9, "folder_id": badFolder]),
            ("create_group_file_folder", ["group_id": 9, "name": "sub", "parent_id": badFolder]),
            ("move_group_file", ["group_id": 9, "file_id": .string(fileID), "target_directory": badFolder]),
            ("upload_group_file", ["group_id": 9, "file": .string(base64([4])), "name": "c.bin", "folder": badFolder]),
        ] as [(String, JSONValue)] {
            try await bot.fails(action, params, retcode: 35002, msg: "FOLDER_NOT_FOUND")
        }
        #expect(try await bot.ok("get_group_root_files", ["group_id": 9]) == before)
        #expect(
            try await bot.ok("get_group_files_by_folder", ["group_id": 9, "folder_id": .string(folderID)]) == [
                "files": [], "folders": [],
            ])
        await (bot as? WSSession)?.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("missing and malformed params are BAD_PARAM with the param's name", arguments: Transport.allCases)
    func badParams(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let bot = transport.caller(server)
        #expect(
            try await bot.fails("get_group_file_system_info", [:], retcode: 10003, msg: "BAD_PARAM")
                == "lack of [group_id]")
        #expect(
            try await bot.fails("get_group_file_system_info", ["group_id": "abc"], retcode: 10003, msg: "BAD_PARAM")
                == "invalid [group_id]: expected an integer, got \"abc\"")
        #expect(
            try await bot.fails("delete_group_file", ["group_id": 1], retcode: 10003, msg: "BAD_PARAM")
                == "lack of [file_id]")
        #expect(
            try await bot.fails("upload_group_file", ["group_id": 1], retcode: 10003, msg: "BAD_PARAM")
                == "lack of [file]")
        try await bot.fails(
            "upload_group_file", ["group_id": 1, "file": "ftp://x/y", "name": "n"], retcode: 10003, msg: "BAD_PARAM")
        try await bot.fails(
            "upload_group_file", ["group_id": 1, "file": "base64://%%%", "name": "n"], retcode: 10003, msg: "BAD_PARAM")
        #expect(
            try await bot.fails(
                "upload_group_file", ["group_id": 1, "file": .string(base64([1]))], retcode: 10003, msg: "BAD_PARAM")
                == "lack of [name]")
        try await bot.fails("no_such_action", [:], retcode: 1404, msg: "API_NOT_FOUND")
        await (bot as? WSSession)?.close()
        await server.stop()
        server.removeFiles()
    }

    @Test(
        "private files: upload without folder_id, temporary, URL by file id with or without user_id",
        arguments: Transport.allCases)
    func privateFiles(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let bot = transport.caller(server)
        let upload = try await bot.ok(
            "upload_private_file", ["user_id": 555, "file": "data:text/plain;base64,aGVsbG8=", "name": "hi.txt"])
        #expect(upload["folder_id"] == nil)
        #expect(upload["busid"] == 104)
        #expect(upload["file_size"] == 5)
        let fileID = try #require(upload["file_id"])
        #expect(try await bot.ok("get_private_file_url", ["file_id": fileID])["url"]?.stringValue != nil)
        #expect(try await bot.ok("get_private_file_url", ["user_id": 555, "file_id": fileID])["url"] != nil)
        try await bot.fails(
            "get_private_file_url", ["user_id": 556, "file_id": fileID], retcode: 35001, msg: "FILE_NOT_FOUND")
        // A private file is not a group file.
        try await bot.fails(
            "get_group_file_url", ["group_id": 555, "file_id": fileID], retcode: 35001, msg: "FILE_NOT_FOUND")
        await (bot as? WSSession)?.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("limits: FILE_TOO_LARGE, QUOTA_EXCEEDED, FILE_COUNT_LIMIT, FOLDER_TOO_DEEP", arguments: Transport.allCases)
    func limits(transport: Transport) async throws {
        let server = try await LiveServer.start {
            $0.limits.maxFileBytes = 100
            $0.spaces.group.totalSpace = 150
            $0.spaces.group.fileLimit = 2
            $0.limits.maxFolderDepth = 1
        }
        let bot = transport.caller(server)
        try await bot.fails(
            "upload_group_file", ["group_id": 1, "file": .string(base64(pseudoRandomBytes(101))), "name": "big"],
            retcode: 35006,
            msg: "FILE_TOO_LARGE")
        _ = try await bot.ok(
            "upload_group_file", ["group_id": 1, "file": .string(base64(pseudoRandomBytes(100))), "name": "a"])
        try await bot.fails(
            "upload_group_file", ["group_id": 1, "file": .string(base64(pseudoRandomBytes(51, seed: 2))), "name": "b"],
            retcode: 35004, msg: "QUOTA_EXCEEDED")
        _ = try await bot.ok(
            "upload_group_file", ["group_id": 1, "file": .string(base64(pseudoRandomBytes(50, seed: 3))), "name": "c"])
        try await bot.fails(
            "upload_group_file", ["group_id": 1, "file": .string(base64([1])), "name": "d"], retcode: 35005,
            msg: "FILE_COUNT_LIMIT")
        let top = try await bot.ok("create_group_file_folder", ["group_id": 1, "name": "top"])
        try await bot.fails(
            "create_group_file_folder", ["group_id": 1, "name": "deeper", "parent_id": top["folder_id"] ?? ""],
            retcode: 35007, msg: "FOLDER_TOO_DEEP")
        let info = try await bot.ok("get_group_file_system_info", ["group_id": 1])
        #expect(info["used_space"] == 150)
        #expect(info["file_count"] == 2)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: server.dataDir + "/tmp")) == [])
        await (bot as? WSSession)?.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("download_file caches base64 content and refuses a loopback URL by default", arguments: Transport.allCases)
    func downloadFile(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let bot = transport.caller(server)
        let data = try await bot.ok("download_file", ["base64": "aGVsbG8=", "name": "h.txt", "thread_count": 3])
        let path = try #require(data["file"]?.stringValue)
        #expect(path.hasPrefix(server.dataDir + "/cache/"))
        #expect(FileManager.default.contents(atPath: path) == Data("hello".utf8))
        try await bot.fails(
            "download_file", ["url": .string(server.base + "/health")], retcode: 10004, msg: "UNSUPPORTED_PARAM")
        try await bot.fails("download_file", ["url": "ftp://x"], retcode: 10003, msg: "BAD_PARAM")
        await (bot as? WSSession)?.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("login info, status and version", arguments: Transport.allCases)
    func accountActions(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let bot = transport.caller(server)
        #expect(try await bot.ok("get_login_info", [:]) == ["user_id": 10000, "nickname": "Trefoil"])
        #expect(
            try await bot.ok("get_version_info", [:])
                == ["app_name": "trefoil", "app_version": "0.1.0", "protocol_version": "v11", "runtime": "swift"])
        let status = try await bot.ok("get_status", [:])
        #expect(status["online"] == true)
        #expect(status["good"] == true)
        #expect((status["stat"]?["packet_received"]?.intValue ?? 0) >= 1)
        await (bot as? WSSession)?.close()
        await server.stop()
        server.removeFiles()
    }

    @Test(
        "_async answers at once with status async and does the work; _rate_limited too", arguments: Transport.allCases)
    func asyncSuffixes(transport: Transport) async throws {
        let server = try await LiveServer.start()
        let bot = transport.caller(server)
        let accepted = try await bot.call("create_group_file_folder_async", ["group_id": 3, "name": "later"])
        #expect(accepted.status == "async")
        #expect(accepted.retcode == 1)
        #expect(accepted.data == .null)
        let queued = try await bot.call(
            "upload_group_file_rate_limited", ["group_id": 3, "file": .string(base64([9, 9])), "name": "q"])
        #expect(queued.status == "async")
        var listing = JSONValue.null
        for _ in 0..<200 {
            listing = try await bot.ok("get_group_root_files", ["group_id": 3])
            if listing["folders"]?.arrayValue?.count == 1 && listing["files"]?.arrayValue?.count == 1 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(listing["folders"]?.arrayValue?.first?["folder_name"] == "later")
        #expect(listing["files"]?.arrayValue?.first?["file_name"] == "q")
        await (bot as? WSSession)?.close()
        await server.stop()
        server.removeFiles()
    }
}
