import Foundation
import OneBotV11
import Testing
import TrefoilConfiguration
import TrefoilCore
import TrefoilTestSupport

/// Whatever `check-config` accepts, the server must run with: a value at the top of its range once crashed the
/// first upload with an arithmetic overflow, and the bot got no answer.
@Suite("Settings at the ends of their ranges", .timeLimit(.minutes(3)), .stopsLiveServers)
struct ConfigExtremesTests {
    /// Every integer key at the top of its range (see `ConfigRangeTests`), as a deployer would write it.
    static let maxima = """
        {
          "self_id": 9007199254740991,
          "server": { "max_body_bytes": 1099511627776, "ws_max_message_bytes": 1073741824,
                      "max_request_bytes": 1073741824, "idle_timeout_ms": 3600000, "max_connections": 1000000,
                      "shutdown_timeout_ms": 3600000 },
          "heartbeat": { "enable": true, "interval_ms": 86400000 },
          "reverse_ws": [{ "url": "ws://127.0.0.1:1/", "reconnect_interval_ms": 3600000 }],
          "http_post": [{ "url": "http://127.0.0.1:1/", "timeout_ms": 3600000, "retry_window_ms": 604800000 }],
          "limits": { "max_file_bytes": 1099511627776, "group_total_space": 1125899906842624,
                      "group_file_limit": 1000000000, "max_folder_depth": 64 },
          "retention": { "group_file_days": 36500, "private_file_days": 36500 },
          "upload": { "url_fetch_timeout_ms": 86400000 },
          "download": { "url_ttl_seconds": 315360000 }
        }
        """

    @Test("a server with every integer setting at the top of its range uploads, links, downloads and answers")
    func maximaServe() async throws {
        let loaded = try ConfigLoader.load(
            json: Data(Self.maxima.utf8), source: "maxima.json", environment: [:], sections: [OneBot11Settings.self])
        try await Self.exercise { config in
            let own = config
            config = loaded.config
            config.storage = own.storage
            config.server.port = own.server.port
            config.server.publicURL = own.server.publicURL
            config.upload.localRoots = own.upload.localRoots
        }
    }

    @Test("retention days and a link lifetime too large for the clock saturate instead of trapping")
    func timeArithmeticSaturates() async throws {
        try await Self.exercise { config in
            config.download.urlTTLSeconds = .max
            for kind in [\TrefoilConfig.Spaces.group, \.user, \.app, \.staging, \.avatar] {
                config.spaces[keyPath: kind].fileDays = .max
            }
        }
    }

    /// Starts a server configured by `configure`; uploads into a group and to a user, lists, fetches a link and
    /// downloads it, over HTTP and WebSocket.
    static func exercise(_ configure: (inout TrefoilConfig) -> Void) async throws {
        let server = try await LiveServer.start(configure: configure)
        let bytes = pseudoRandomBytes(3_000, seed: 8)
        let http = HTTPCaller(server: server)
        let uploaded = try await http.ok(
            "upload_group_file", ["group_id": 5, "file": .string(base64(bytes)), "name": "far.bin"])
        let fileID = try #require(uploaded["file_id"]?.stringValue)
        let url = try #require(uploaded["url"]?.stringValue)
        let expires = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "expires" }?.value)
        #expect(Int64(expires).map { $0 > Int64(Date().timeIntervalSince1970) } == true, "\(url)")
        let download = try await server.request(String(url.dropFirst(server.base.count)))
        #expect(download.status == .ok)
        #expect(download.body.map { Array($0.readableBytesView) } == bytes)

        let session = WSSession(port: server.port, path: "/api")
        let listing = try await session.ok("get_group_root_files", ["group_id": 5])
        let listed = try #require(listing["files"]?.arrayValue?.first)
        #expect(listed["file_id"]?.stringValue == fileID)
        #expect((listed["dead_time"]?.intValue ?? 0) > Int64(Date().timeIntervalSince1970))
        let link = try await session.ok("get_group_file_url", ["group_id": 5, "file_id": .string(fileID)])
        #expect(link["url"]?.stringValue?.contains("/files/") == true)
        let personal = try await session.ok(
            "upload_private_file", ["user_id": 6, "file": .string(base64(bytes)), "name": "mine.bin"])
        #expect(personal["file_id"] != nil)
        #expect(try await session.call("get_status").isOK)
        await session.close()
        await server.stop()
        server.removeFiles()
    }
}
