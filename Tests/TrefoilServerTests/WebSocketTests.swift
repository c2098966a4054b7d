import Foundation
import HTTPTypes
import NIOCore
import OneBotV11
import Testing
import TrefoilJSON
import TrefoilTestSupport

@Suite("Forward WebSocket", .timeLimit(.minutes(3)), .stopsLiveServers)
struct WebSocketTests {
    @Test("/ and /event start with lifecycle connect; /api sends no events", arguments: ["/", "/event", "/event/"])
    func lifecycleFirst(path: String) async throws {
        let server = try await LiveServer.start()
        let session = WSSession(port: server.port, path: path)
        let first = try await session.next { _ in true }
        #expect(first.isLifecycleConnect)
        #expect(first.json["self_id"] == 10000)
        #expect(first.json["time"]?.intValue != nil)
        #expect(try await session.call("get_login_info", [:]).isOK)
        await session.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("/api answers actions and never sends an event, not even lifecycle or group_upload")
    func apiPath() async throws {
        let server = try await LiveServer.start()
        let session = WSSession(port: server.port, path: "/api/")
        #expect(try await session.call("get_version_info", [:]).isOK)
        _ = try await server.call("upload_group_file", ["group_id": 1, "file": .string(base64([1])), "name": "x"])
        try await Task.sleep(for: .milliseconds(200))
        #expect(session.received.allSatisfy { $0.postType == nil })
        await session.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("an unknown path is not upgraded")
    func unknownPath() async throws {
        let server = try await LiveServer.start()
        let session = WSSession(port: server.port, path: "/nope")
        guard case .failure = await session.ended() else {
            Issue.record("the upgrade should have been refused")
            return
        }
        await server.stop()
        server.removeFiles()
    }

    @Test("the echo comes back verbatim whatever its JSON type; without one there is no echo key")
    func echoes() async throws {
        let server = try await LiveServer.start()
        let session = WSSession(port: server.port, path: "/api")
        let echoes: [JSONValue] = ["text", 12, .double(1.5), true, ["a": [1, "b"]], [1, 2]]
        for echo in echoes {
            #expect(try await session.call("get_status", [:], echo: echo).echo == echo)
        }
        session.send(#"{"action":"get_login_info"}"#)
        let plain = try await session.next { $0.data["nickname"] != nil }
        #expect(plain.json["echo"] == nil)
        await session.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("bad frames get 1400 (with the echo when there is one) and the connection stays open")
    func badFrames() async throws {
        let server = try await LiveServer.start()
        let session = WSSession(port: server.port, path: "/api")
        session.send("this is not json")
        let notJSON = try await session.next { $0.retcode == 1400 }
        #expect(notJSON.status == "failed")
        #expect(notJSON.msg == "BAD_REQUEST")
        #expect(notJSON.json["echo"] == nil)
        session.send(#"{"params":{},"echo":"no-action"}"#)
        let noAction = try await session.next { $0.echo == "no-action" }
        #expect(noAction.retcode == 1400)
        session.sendBinary([1, 2, 3])
        let binary = try await session.next { $0.message == "binary frames are not supported" }
        #expect(binary.retcode == 1400)
        #expect(try await session.call("get_login_info", [:]).isOK)
        await session.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("a message over ws_max_message_bytes closes only that connection, with 1009")
    func oversized() async throws {
        let server = try await LiveServer.start { $0.server.wsMaxMessageBytes = 4096 }
        let bystander = WSSession(port: server.port, path: "/api")
        #expect(try await bystander.call("get_status", [:]).isOK)
        let offender = WSSession(port: server.port, path: "/api")
        #expect(try await offender.call("get_status", [:]).isOK)
        offender.send(#"{"action":"get_status","params":{"pad":""# + String(repeating: "x", count: 10_000) + #""}}"#)
        let ended = await offender.ended()
        #expect((try? ended.get())??.closeCode == .messageTooLarge)
        #expect(try await bystander.call("get_status", [:]).isOK)
        await bystander.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("a message sent in fragments that together pass ws_max_message_bytes closes the connection with 1009")
    func fragmentedOversized() async throws {
        let server = try await LiveServer.start { $0.server.wsMaxMessageBytes = 4096 }
        let port = server.port
        let text = Array(
            (#"{"action":"get_status","params":{"pad":""# + String(repeating: "x", count: 6000) + #""}}"#).utf8)
        let reply = try await offCooperativePool { () -> RawWebSocket.Frame? in
            let socket = try RawWebSocket(port: port)
            _ = try socket.upgrade("/api", ["Upgrade: websocket"])
            // Three fragments, each under the limit (frames are held to it too); the message is over it.
            try socket.sendFrame(Array(text[..<2000]), fin: false)
            try socket.sendFrame(Array(text[2000..<4000]), opcode: 0x0, fin: false)
            try socket.sendFrame(Array(text[4000...]), opcode: 0x0)
            return socket.readFrame()
        }
        #expect(reply?.closeCode == 1009, "\(String(describing: reply))")
        #expect(try await server.call("get_status").isOK)
        await server.stop()
        server.removeFiles()
    }

    @Test("a text message that is not UTF-8, whole or in fragments, closes the connection with 1007 and runs nothing")
    func invalidUTF8Closes() async throws {
        let server = try await LiveServer.start()
        let port = server.port
        let message =
            Array(#"{"action":"upload_group_file","params":{"group_id":31,"file":"base64://aGk=","name":"bad"#.utf8)
            + [0xFF, 0xFE] + Array(#".txt"},"echo":"bad"}"#.utf8)
        let replies = try await offCooperativePool { () -> [RawWebSocket.Frame?] in
            try [[message], [Array(message[..<60]), Array(message[60...])]].map { fragments in
                let socket = try RawWebSocket(port: port)
                _ = try socket.upgrade("/api", ["Upgrade: websocket"])
                for (index, fragment) in fragments.enumerated() {
                    try socket.sendFrame(fragment, opcode: index == 0 ? 0x1 : 0x0, fin: index == fragments.count - 1)
                }
                return socket.readFrame()
            }
        }
        #expect(replies.map { $0?.closeCode } == [1007, 1007], "\(replies)")
        let listing = try await server.call("get_group_root_files", ["group_id": 31])
        #expect(listing.data["files"] == [])
        await server.stop()
        server.removeFiles()
    }

    @Test("a number in echo comes back as the same text: big integers, 1.0, -0, exponents, inside objects too")
    func echoNumbersVerbatim() async throws {
        let server = try await LiveServer.start()
        let port = server.port
        let echoes = [
            "18446744073709551616", "1.0", "-0", "1e3", "-1.50E+2", "0.1", "12", #"{"seq":1.0,"id":"x"}"#, "[1.0,2]",
        ]
        let answers = try await offCooperativePool { () -> [String] in
            let socket = try RawWebSocket(port: port)
            _ = try socket.upgrade("/api", ["Upgrade: websocket"])
            return try echoes.map { echo in
                try socket.sendFrame(Array(#"{"action":"get_login_info","echo":\#(echo)}"#.utf8))
                return String(decoding: socket.readFrame()?.payload ?? [], as: UTF8.self)
            }
        }
        for (echo, answer) in zip(echoes, answers) {
            #expect(answer.contains(#""echo":\#(echo),"message""#), "\(answer)")
        }
        let overHTTP = try await server.request(
            "/", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"action":"get_login_info","echo":18446744073709551616}"#))
        #expect(String(buffer: overHTTP.body ?? ByteBuffer()).contains(#""echo":18446744073709551616,"#))
        await server.stop()
        server.removeFiles()
    }

    @Test("the connection that uploads gets the answer before the upload's group_upload; others get it too")
    func answerBeforeOwnNotice() async throws {
        let server = try await LiveServer.start()
        let uploader = WSSession(port: server.port, path: "/")
        let watcher = WSSession(port: server.port, path: "/event")
        _ = try await uploader.next { $0.isLifecycleConnect }
        _ = try await watcher.next { $0.isLifecycleConnect }
        let ids = try await expectAnswersBeforeNotices(count: 100, on: uploader.log) {
            try await uploader.call("upload_group_file", $0)
        }
        _ = try await watcher.next { $0.json["file"]?["id"] == ids.last }
        #expect(watcher.received.filter { $0.json["notice_type"] == "group_upload" }.count == 100)
        await uploader.close()
        await watcher.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("heartbeats arrive at the configured interval with the status object")
    func heartbeat() async throws {
        let server = try await LiveServer.start {
            $0.onebot11.heartbeat.enable = true
            $0.onebot11.heartbeat.intervalMS = 200
        }
        let session = WSSession(port: server.port, path: "/event")
        let beat = try await session.next { $0.json["meta_event_type"] == "heartbeat" }
        #expect(beat.postType == "meta_event")
        #expect(beat.json["interval"] == 200)
        #expect(beat.json["status"]?["online"] == true)
        #expect(beat.json["status"]?["good"] == true)
        #expect(beat.json["self_id"] == 10000)
        await session.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("every event connection receives group_upload with the file's id, name, size, busid, url and folder")
    func groupUploadEvent() async throws {
        let server = try await LiveServer.start()
        let universal = WSSession(port: server.port, path: "/")
        let events = WSSession(port: server.port, path: "/event")
        _ = try await universal.next { $0.isLifecycleConnect }
        _ = try await events.next { $0.isLifecycleConnect }
        let bytes = pseudoRandomBytes(2048)
        let folder = try await server.call("create_group_file_folder", ["group_id": 77, "name": "in"])
        let upload = try await server.call(
            "upload_group_file",
            [
                "group_id": 77, "file": .string(base64(bytes)), "name": "ev.bin",
                "folder_id": folder.data["folder_id"] ?? "",
            ])
        for session in [universal, events] {
            let notice = try await session.next { $0.json["notice_type"] == "group_upload" }
            #expect(notice.postType == "notice")
            #expect(notice.json["group_id"] == 77)
            #expect(notice.json["user_id"] == 10000)
            let file = try #require(notice.json["file"])
            #expect(file["id"] == upload.data["file_id"])
            #expect(file["name"] == "ev.bin")
            #expect(file["size"] == 2048)
            #expect(file["busid"] == 102)
            #expect(file["folder_id"] == folder.data["folder_id"])
            let url = try #require(file["url"]?.stringValue)
            let download = try await server.request(String(url.dropFirst(server.base.count)))
            #expect(download.body.map { Array($0.readableBytesView) } == bytes)
        }
        // A private upload is not a group event.
        _ = try await server.call("upload_private_file", ["user_id": 5, "file": .string(base64([1])), "name": "p"])
        try await Task.sleep(for: .milliseconds(200))
        #expect(universal.received.filter { $0.json["notice_type"] == "group_upload" }.count == 1)
        await universal.close()
        await events.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("the handshake without a token is refused with 401, with a wrong one 403, before any upgrade")
    func handshakeAuth() async throws {
        let server = try await LiveServer.start(token: "tok")
        let upgrade: HTTPFields = [
            .upgrade: "websocket", .connection: "Upgrade", .secWebSocketVersion: "13",
            .secWebSocketKey: "dGhlIHNhbXBsZSBub25jZQ==",
        ]
        let missing = try await server.request("/", headers: upgrade)
        #expect(missing.status == .unauthorized)
        #expect(try Envelope(missing.body ?? .init()).retcode == 1401)
        var wrong = upgrade
        wrong[.authorization] = "Bearer bad"
        let refused = try await server.request("/event", headers: wrong)
        #expect(refused.status == .forbidden)
        #expect(try Envelope(refused.body ?? .init()).retcode == 1403)
        #expect(try await server.request("/api?access_token=bad", headers: upgrade).status == .forbidden)

        let byHeader = WSSession(port: server.port, path: "/", headers: [.authorization: "Bearer tok"])
        #expect(try await byHeader.next { _ in true }.isLifecycleConnect)
        let byQuery = WSSession(port: server.port, path: "/api?access_token=tok")
        #expect(try await byQuery.call("get_login_info", [:]).isOK)
        let byTokenScheme = WSSession(port: server.port, path: "/api", headers: [.authorization: "Token tok"])
        #expect(try await byTokenScheme.call("get_login_info", [:]).isOK)
        for session in [byHeader, byQuery, byTokenScheme] { await session.close() }
        await server.stop()
        server.removeFiles()
    }

    @Test("50 concurrent uploads over one connection and 50 over five all succeed with exact counters")
    func concurrentUploads() async throws {
        let server = try await LiveServer.start()
        let one = WSSession(port: server.port, path: "/api")
        let five = (0..<5).map { _ in WSSession(port: server.port, path: "/api") }
        let sizes = (0..<100).map { 100 + $0 * 37 }
        try await withThrowingTaskGroup(of: Envelope.self) { group in
            for i in 0..<100 {
                let session = i < 50 ? one : five[i % 5]
                group.addTask {
                    try await session.call(
                        "upload_group_file",
                        [
                            "group_id": 500, "file": .string(base64(pseudoRandomBytes(sizes[i], seed: UInt64(i)))),
                            "name": .string("f\(i)"),
                        ])
                }
            }
            for try await response in group { #expect(response.isOK, "\(response)") }
        }
        let info = try await one.call("get_group_file_system_info", ["group_id": 500])
        #expect(info.data["file_count"] == 100)
        #expect(info.data["used_space"]?.intValue == Int64(sizes.reduce(0, +)))
        let listing = try await one.call("get_group_root_files", ["group_id": 500])
        #expect(listing.data["files"]?.arrayValue?.count == 100)
        #expect(try await server.gateway.tree.checkConsistency(repair: false).isClean)
        for session in [one] + five { await session.close() }
        await server.stop()
        server.removeFiles()
    }

    @Test(
        "requests sent before the lifecycle frame arrives: lifecycle first, then one whole frame per answer and event")
    func pipelinedAnswersStayWhole() async throws {
        let server = try await LiveServer.start()
        try await uploadOneByteFiles(30, group: 600, to: server)
        let session = WSSession(port: server.port, path: "/")
        // Sent at once, without waiting for anything: small answers and listings of 30 files (several
        // kilobytes each) are made on tasks of their own and written as they finish, while an upload
        // in the middle raises a group_upload event on the same connection.
        for i in 0..<40 {
            let request: JSONValue =
                switch i {
                case 20:
                    [
                        "action": "upload_group_file", "echo": .int(Int64(i)),
                        "params": ["group_id": 600, "file": .string(base64([7, 7])), "name": "during"],
                    ]
                case _ where i.isMultiple(of: 2):
                    ["action": "get_group_root_files", "echo": .int(Int64(i)), "params": ["group_id": 600]]
                default: ["action": "get_version_info", "echo": .int(Int64(i))]
                }
            session.send(String(decoding: request.encoded(), as: UTF8.self))
        }
        _ = try await session.next { $0.json["notice_type"] == "group_upload" }
        for i in 0..<40 { _ = try await session.next { $0.echo == .int(Int64(i)) } }
        let frames = session.received
        #expect(frames.first?.isLifecycleConnect == true)
        let answers = frames.filter { $0.postType == nil }
        #expect(answers.count == 40)
        #expect(Set(answers.compactMap { $0.echo?.intValue }) == Set(0..<Int64(40)))
        #expect(answers.allSatisfy { $0.isOK })
        let listings = answers.filter { ($0.echo?.intValue).map { $0.isMultiple(of: 2) && $0 != 20 } ?? false }
        #expect(listings.count == 19)
        #expect(listings.allSatisfy { ($0.data["files"]?.arrayValue?.count ?? 0) >= 30 })
        #expect(frames.filter { $0.json["notice_type"] == "group_upload" }.count == 1)
        await session.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("a bot that floods requests and reads no answers stops being read: its answers cannot fill memory")
    func floodWithoutReading() async throws {
        let server = try await LiveServer.start()
        try await uploadOneByteFiles(30, group: 700, to: server)
        let before = try await server.call("get_status").data["stat"]?["packet_received"]?.intValue ?? -1
        let flooder = try SilentWebSocket(port: server.port, path: "/api")
        let requests = (0..<20_000).map {
            #"{"action":"get_group_root_files","params":{"group_id":700},"echo":\#($0)}"#
        }
        let offered = try await offCooperativePool { flooder.flood(requests, seconds: 3) }
        // The flooder stays connected, and silent, until the server's count has been read.
        try await Task.sleep(for: .seconds(1))
        let status = try await server.call("get_status")
        #expect(status.isOK)
        let read = (status.data["stat"]?["packet_received"]?.intValue ?? .max) - before - 1
        // All 20,000 fit into the sockets' buffers (1.6 MB). Each answer is ~5 KB: the buffers toward
        // the bot hold a few hundred, then the server's writes wait, its 64 requests in flight stay
        // busy, and it reads no more. Before, it read all 20,000 and queued their answers in memory
        // (480 MB of RSS in a release build).
        #expect(read < 2_000, "the server read \(read) of \(offered) requests offered")
        flooder.disconnect()
        await server.stop()
        server.removeFiles()
    }

    @Test("a graceful shutdown closes open connections cleanly")
    func shutdownCloses() async throws {
        let server = try await LiveServer.start()
        let session = WSSession(port: server.port, path: "/")
        _ = try await session.next { $0.isLifecycleConnect }
        await server.stop()
        guard case .success = await session.ended() else {
            Issue.record("the connection should end with a close handshake")
            return
        }
        server.removeFiles()
    }

    /// `count` one-byte files named `f0`, `f1`, … in the root of `group`, over HTTP.
    private func uploadOneByteFiles(_ count: Int, group: Int64, to server: LiveServer) async throws {
        for i in 0..<count {
            _ = try await server.call(
                "upload_group_file",
                [
                    "group_id": .int(group), "file": .string(base64([UInt8(truncatingIfNeeded: i)])),
                    "name": .string("f\(i)"),
                ])
        }
    }
}
