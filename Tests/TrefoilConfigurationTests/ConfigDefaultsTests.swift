import Foundation
import OneBotV11
import Testing
import TrefoilConfiguration

@Suite("Config defaults and merging")
struct ConfigDefaultsTests {
    @Test func defaultsLoadWhenPathIsNil() throws {
        let loaded = try ConfigLoader.load(path: nil, environment: [:], sections: ConfigTestSupport.sections)
        #expect(loaded.config == TrefoilConfig.defaults)
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.config.onebot11.selfID == 10000)
        #expect(loaded.config.server.port == 5700)
        #expect(loaded.config.server.maxBodyBytes == 4_294_967_296)
        #expect(loaded.config.spaces.group.totalSpace == 10_737_418_240)
        #expect(loaded.config.spaces.user.fileDays == 7)
        #expect(loaded.config.onebot11.reverseWS.isEmpty)
    }

    @Test func emptyObjectEqualsDefaults() throws {
        #expect(try ConfigTestSupport.load("{}").config == TrefoilConfig.defaults)
    }

    @Test func fullFileWithDefaultValuesLoadsEveryField() throws {
        let json = """
            {
              "self_id": 10000, "nickname": "Trefoil", "access_token": "",
              "server": { "host": "127.0.0.1", "port": 5700, "public_url": "http://127.0.0.1:5700",
                          "max_body_bytes": 4294967296, "ws_max_message_bytes": 67108864,
                          "max_background_actions": 64, "max_background_bytes": 134217728 },
              "heartbeat": { "enable": true, "interval_ms": 15000 },
              "reverse_ws": [{"url": "ws://127.0.0.1:8080/onebot/v11/ws", "api_url": "", "event_url": "",
                              "role": "Universal", "reconnect_interval_ms": 3000}],
              "http_post": [{"url": "http://127.0.0.1:8080/onebot/v11/http", "secret": "", "timeout_ms": 5000,
                             "retry_window_ms": 60000}],
              "storage": { "data_dir": "./data" },
              "limits": { "max_file_bytes": 4294967296, "group_total_space": 10737418240,
                          "group_file_limit": 10000, "max_folder_depth": 8 },
              "retention": { "group_file_days": 0, "private_file_days": 7 },
              "upload": { "local_roots": [], "url_fetch_timeout_ms": 60000, "url_fetch_total_timeout_ms": 3600000,
                          "allow_private_networks": false, "compute_sha3": false },
              "download": { "url_ttl_seconds": 3600, "signing_key": "", "count_flush_interval_ms": 1000 }
            }
            """
        var expected = TrefoilConfig.defaults
        expected.onebot11.reverseWS = [.init(url: "ws://127.0.0.1:8080/onebot/v11/ws")]
        expected.onebot11.httpPost = [.init(url: "http://127.0.0.1:8080/onebot/v11/http")]
        #expect(try ConfigTestSupport.load(json).config == expected)
    }

    @Test func everyKeyIsReadIntoItsProperty() throws {
        let json = """
            {
              "self_id": 42, "nickname": "Bot", "access_token": "tok",
              "server": { "host": "0.0.0.0", "port": 8080, "public_url": "https://files.example.com",
                          "max_body_bytes": 1000, "ws_max_message_bytes": 2000, "max_request_bytes": 3000,
                          "idle_timeout_ms": 4000, "max_connections": 5000, "shutdown_timeout_ms": 6000,
                          "max_background_actions": 3, "max_background_bytes": 70000 },
              "heartbeat": { "enable": false, "interval_ms": 5000 },
              "reverse_ws": [{"url": "ws://a/ws", "api_url": "ws://a/api", "event_url": "wss://a/event",
                              "role": "Event", "reconnect_interval_ms": 100}],
              "http_post": [{"url": "https://b/post", "secret": "sec", "timeout_ms": 200, "retry_window_ms": 300}],
              "storage": { "data_dir": "/var/lib/trefoil" },
              "limits": { "max_file_bytes": 11, "group_total_space": 12, "group_file_limit": 13, "max_folder_depth": 14 },
              "retention": { "group_file_days": 15, "private_file_days": 16 },
              "spaces": { "user": { "total_space": 21, "file_limit": 22 },
                          "app": { "total_space": 23, "file_limit": 24, "file_days": 25 },
                          "staging": { "total_space": 26, "file_limit": 27, "file_days": 28 },
                          "avatar": { "total_space": 29, "file_limit": 30, "file_days": 31 } },
              "upload": { "local_roots": ["/srv", "/tmp"], "url_fetch_timeout_ms": 17, "url_fetch_total_timeout_ms": 19,
                          "allow_private_networks": true, "compute_sha3": true },
              "download": { "url_ttl_seconds": 18, "signing_key": "key", "count_flush_interval_ms": 20 }
            }
            """
        var expected = TrefoilConfig(
            server: .init(
                host: "0.0.0.0", port: 8080, publicURL: "https://files.example.com", maxBodyBytes: 1000,
                wsMaxMessageBytes: 2000, maxRequestBytes: 3000, idleTimeoutMS: 4000, maxConnections: 5000,
                shutdownTimeoutMS: 6000, maxBackgroundActions: 3, maxBackgroundBytes: 70000),
            storage: .init(dataDir: "/var/lib/trefoil"),
            limits: .init(maxFileBytes: 11, maxFolderDepth: 14),
            spaces: .init(
                group: .init(totalSpace: 12, fileLimit: 13, fileDays: 15),
                user: .init(totalSpace: 21, fileLimit: 22, fileDays: 16),
                app: .init(totalSpace: 23, fileLimit: 24, fileDays: 25),
                staging: .init(totalSpace: 26, fileLimit: 27, fileDays: 28),
                avatar: .init(totalSpace: 29, fileLimit: 30, fileDays: 31)),
            upload: .init(
                localRoots: ["/srv", "/tmp"], urlFetchTimeoutMS: 17, urlFetchTotalTimeoutMS: 19,
                allowPrivateNetworks: true, computeSHA3: true),
            download: .init(urlTTLSeconds: 18, signingKey: "key", countFlushIntervalMS: 20))
        expected.onebot11 = OneBot11Settings(
            selfID: 42, nickname: "Bot", accessToken: "tok", heartbeat: .init(enable: false, intervalMS: 5000),
            reverseWS: [
                .init(
                    url: "ws://a/ws", apiURL: "ws://a/api", eventURL: "wss://a/event", role: .event,
                    reconnectIntervalMS: 100)
            ],
            httpPost: [.init(url: "https://b/post", secret: "sec", timeoutMS: 200, retryWindowMS: 300)])
        #expect(try ConfigTestSupport.load(json).config == expected)
    }

    @Test func nestedMergeKeepsDefaultsForSiblings() throws {
        let config = try ConfigTestSupport.load(#"{"server": {"port": 8080}, "limits": {"max_folder_depth": 3}}"#)
            .config
        var expected = TrefoilConfig.defaults
        expected.server.port = 8080
        expected.limits.maxFolderDepth = 3
        #expect(config == expected)
    }

    @Test func listEntriesTakePerEntryDefaults() throws {
        let config = try ConfigTestSupport.load(
            #"{"reverse_ws": [{"url": "ws://h/ws"}], "http_post": [{"url": "http://h/post"}]}"#
        ).config
        #expect(config.onebot11.reverseWS == [.init(url: "ws://h/ws", role: .universal, reconnectIntervalMS: 3000)])
        #expect(
            config.onebot11.httpPost == [.init(url: "http://h/post", secret: "", timeoutMS: 5000, retryWindowMS: 60000)]
        )
    }

    @Test func wholeNumbersWrittenWithFractionOrExponentAreIntegers() throws {
        let config = try ConfigTestSupport.load(#"{"server": {"port": 8080.0}, "heartbeat": {"interval_ms": 2e3}}"#)
            .config
        #expect(config.server.port == 8080)
        #expect(config.onebot11.heartbeat.intervalMS == 2000)
    }

    @Test func exampleFileLoadsWithoutProblems() throws {
        // Tests/TrefoilConfigurationTests/this file → the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("config.example.json").path
        let loaded = try ConfigLoader.load(path: path, environment: [:], sections: ConfigTestSupport.sections)
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.config.upload.localRoots == ["/tmp"])
        #expect(loaded.config.onebot11.reverseWS == [.init(url: "ws://127.0.0.1:8080/onebot/v11/ws", role: .universal)])
        #expect(loaded.config.onebot11.httpPost == [.init(url: "http://127.0.0.1:8080/onebot/v11/http")])
    }
}
