import Foundation
import OneBotV11
import Testing
import TrefoilJSON
import TrefoilTestSupport

/// A data directory written by the release before schema v3 (Tests/Fixtures/v2-store), served by this one.
@Suite("Store upgrade", .timeLimit(.minutes(3)), .stopsLiveServers)
struct StoreUpgradeTests {
    @Test(
        "an old store opens, migrates and answers every listing and usage as the old release did; its links still work",
        arguments: Transport.allCases)
    func oldStoreServes(transport: Transport) async throws {
        let root = makeTempDirectory()
        try copyFixture("v2-store/data", to: root + "/data")
        let fixture = try Envelope(text: String(contentsOfFile: fixturePath("v2-store/expected.json"), encoding: .utf8))
        let server = try await LiveServer.start(root: root)
        let bot = transport.caller(server)

        // What the old release answered, byte for byte the same values: ids, names, times, counters, busid.
        let answers = try #require(
            fixture.json["answers"].flatMap { value -> [String: JSONValue]? in
                if case .object(let members) = value { return members }
                return nil
            })
        #expect(answers.count == 8)
        for (call, answer) in answers {
            let words = call.split(separator: " ").map(String.init)
            var params: [String: JSONValue] = ["group_id": .int(try #require(Int64(words[1])))]
            if words.count == 3 {
                // Bound first: assigned straight into the dictionary, #require would check a JSONValue?? instead.
                let folder: JSONValue = try #require(fixture.json["\(words[2])_folder_id"])
                params["folder_id"] = folder
            }
            #expect(try await bot.ok(words[0], .object(params)) == answer, "\(call)")
        }

        // A link the old release signed (and accepted) before the upgrade.
        let link = try #require(fixture.json["signed_link"]?.stringValue)
        let download = try await server.request(link)
        #expect(download.status == .ok)
        #expect(download.body.map { String(decoding: $0.readableBytesView, as: UTF8.self) } == "hello")

        let privateFile = try #require(fixture.json["private_file_id"])
        let url = try #require(
            try await bot.ok("get_private_file_url", ["user_id": 42, "file_id": privateFile])["url"]?.stringValue)
        let privateDownload = try await server.request(String(url.dropFirst(server.base.count)))
        #expect(privateDownload.body.map { String(decoding: $0.readableBytesView, as: UTF8.self) } == "for 42 only")

        // The counters go on from where the old release left them.
        _ = try await bot.ok("upload_group_file", ["group_id": 123, "file": .string(base64([1, 2])), "name": "new"])
        let info = try await bot.ok("get_group_file_system_info", ["group_id": 123])
        #expect(info["file_count"] == 10)
        #expect(info["used_space"] == 89)
        await (bot as? WSSession)?.close()
        await server.stop()
        server.removeFiles()
    }
}
