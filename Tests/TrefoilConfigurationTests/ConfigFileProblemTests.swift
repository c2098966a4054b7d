import Foundation
import OneBotV11
import Testing
import TrefoilConfiguration

@Suite("Config file problems")
struct ConfigFileProblemTests {
    @Test func unknownTopLevelKeySuggestsTheClosestKey() {
        #expect(
            ConfigTestSupport.problems(#"{"self_idd": 1}"#) == [
                #"config.json: self_idd: unknown key (did you mean "self_id"?)"#
            ])
    }

    @Test func unknownNestedKeySuggestsTheClosestKey() {
        #expect(
            ConfigTestSupport.problems(#"{"server": {"prot": 80}}"#) == [
                #"config.json: server.prot: unknown key (did you mean "port"?)"#
            ])
    }

    @Test func unknownKeyInListEntrySuggestsTheClosestKey() {
        #expect(
            ConfigTestSupport.problems(#"{"reverse_ws": [{"url": "ws://h/ws", "rol": "API"}]}"#) == [
                #"config.json: reverse_ws[0].rol: unknown key (did you mean "role"?)"#
            ])
        #expect(
            ConfigTestSupport.problems(#"{"http_post": [{"url": "http://h/", "secrets": ""}]}"#) == [
                #"config.json: http_post[0].secrets: unknown key (did you mean "secret"?)"#
            ])
    }

    @Test func unknownKeyWithNothingCloseListsTheAllowedKeys() {
        #expect(
            ConfigTestSupport.problems(#"{"heartbeat": {"frequency": 1}}"#) == [
                "config.json: heartbeat.frequency: unknown key (allowed keys: enable, interval_ms)"
            ])
    }

    @Test func wrongTypesAreAllReportedInDocumentOrder() {
        let json = """
            {"server": {"port": "abc", "host": 5}, "heartbeat": {"enable": 1}, "self_id": 1.5,
             "upload": {"local_roots": "/tmp"}, "nickname": null, "limits": [], "reverse_ws": {},
             "storage": {"data_dir": ["/a"]}, "download": {"url_ttl_seconds": {"s": 1}}}
            """
        #expect(
            ConfigTestSupport.problems(json) == [
                #"config.json: server.port: expected an integer, got string "abc""#,
                "config.json: server.host: expected a string, got number 5",
                "config.json: heartbeat.enable: expected a boolean (true or false), got number 1",
                "config.json: self_id: expected an integer, got number 1.5",
                #"config.json: upload.local_roots: expected an array of strings, got string "/tmp""#,
                "config.json: nickname: expected a string, got null",
                "config.json: limits: expected an object, got an array",
                "config.json: reverse_ws: expected an array of objects, got an object",
                "config.json: storage.data_dir: expected a string, got an array",
                "config.json: download.url_ttl_seconds: expected an integer, got an object",
            ])
    }

    @Test func wrongTypeInsideAListIsReportedPerItem() {
        #expect(
            ConfigTestSupport.problems(#"{"upload": {"local_roots": ["/tmp", 7, true]}}"#) == [
                "config.json: upload.local_roots[1]: expected a string, got number 7",
                "config.json: upload.local_roots[2]: expected a string, got boolean true",
            ])
        #expect(
            ConfigTestSupport.problems(#"{"reverse_ws": ["ws://h/ws"]}"#) == [
                #"config.json: reverse_ws[0]: expected an object, got string "ws://h/ws""#
            ])
    }

    @Test func integersThatDoNotFitAreReported() {
        let fit = "does not fit in a 64-bit integer (allowed: -9223372036854775808 to 9223372036854775807)"
        #expect(
            ConfigTestSupport.problems(
                #"{"limits": {"max_file_bytes": 99999999999999999999, "group_total_space": 1e30}}"#)
                == [
                    "config.json: limits.max_file_bytes: 99999999999999999999 \(fit)",
                    "config.json: limits.group_total_space: 1e30 \(fit)",
                ])
    }

    @Test(arguments: [
        (#"{"self_id": 0}"#, "config.json: self_id: 0 is out of range (allowed: 1 to 9007199254740991)"),
        (
            #"{"server": {"host": ""}}"#,
            "config.json: server.host: must not be empty (allowed: a host name or IP address)"
        ),
        (#"{"server": {"port": 0}}"#, "config.json: server.port: 0 is out of range (allowed: 1 to 65535)"),
        (#"{"server": {"port": 65536}}"#, "config.json: server.port: 65536 is out of range (allowed: 1 to 65535)"),
        (
            #"{"server": {"public_url": "ftp://h"}}"#,
            #"config.json: server.public_url: "ftp://h" is not a valid URL (allowed: an http:// or https:// URL with a host)"#
        ),
        (
            #"{"server": {"public_url": "http://"}}"#,
            #"config.json: server.public_url: "http://" is not a valid URL (allowed: an http:// or https:// URL with a host)"#
        ),
        (
            #"{"server": {"max_body_bytes": 0}}"#,
            "config.json: server.max_body_bytes: 0 is out of range (allowed: 1 to 1099511627776)"
        ),
        (
            #"{"server": {"ws_max_message_bytes": -1}}"#,
            "config.json: server.ws_max_message_bytes: -1 is out of range (allowed: 1 to 1073741824)"
        ),
        (
            #"{"heartbeat": {"interval_ms": 0}}"#,
            "config.json: heartbeat.interval_ms: 0 is out of range (allowed: 1 to 86400000)"
        ),
        (
            #"{"reverse_ws": [{"url": "ws://h/", "reconnect_interval_ms": 0}]}"#,
            "config.json: reverse_ws[0].reconnect_interval_ms: 0 is out of range (allowed: 1 to 3600000)"
        ),
        (
            #"{"http_post": [{"url": "ws://h/"}]}"#,
            #"config.json: http_post[0].url: "ws://h/" is not a valid URL (allowed: an http:// or https:// URL with a host)"#
        ),
        (
            #"{"http_post": [{"timeout_ms": 100}]}"#,
            #"config.json: http_post[0]: missing required key "url" (allowed: an http:// or https:// URL with a host)"#
        ),
        (
            #"{"http_post": [{"url": "http://h/", "timeout_ms": 0}]}"#,
            "config.json: http_post[0].timeout_ms: 0 is out of range (allowed: 1 to 3600000)"
        ),
        (
            #"{"http_post": [{"url": "http://h/", "retry_window_ms": 0}]}"#,
            "config.json: http_post[0].retry_window_ms: 0 is out of range (allowed: 1 to 604800000)"
        ),
        (
            #"{"storage": {"data_dir": ""}}"#,
            "config.json: storage.data_dir: must not be empty (allowed: a directory path)"
        ),
        (
            #"{"limits": {"max_file_bytes": 0}}"#,
            "config.json: limits.max_file_bytes: 0 is out of range (allowed: 1 to 1099511627776)"
        ),
        (
            #"{"limits": {"group_total_space": 0}}"#,
            "config.json: limits.group_total_space: 0 is out of range (allowed: 1 to 1125899906842624)"
        ),
        (
            #"{"limits": {"group_file_limit": 0}}"#,
            "config.json: limits.group_file_limit: 0 is out of range (allowed: 1 to 1000000000)"
        ),
        (
            #"{"limits": {"max_folder_depth": 0}}"#,
            "config.json: limits.max_folder_depth: 0 is out of range (allowed: 1 to 64)"
        ),
        (
            #"{"limits": {"max_folder_depth": 65}}"#,
            "config.json: limits.max_folder_depth: 65 is out of range (allowed: 1 to 64)"
        ),
        (
            #"{"retention": {"group_file_days": -1}}"#,
            "config.json: retention.group_file_days: -1 is out of range (allowed: 0 to 36500)"
        ),
        (
            #"{"retention": {"private_file_days": -1}}"#,
            "config.json: retention.private_file_days: -1 is out of range (allowed: 0 to 36500)"
        ),
        (
            #"{"upload": {"local_roots": ["/tmp", "relative/dir"]}}"#,
            #"config.json: upload.local_roots[1]: "relative/dir" is not an absolute path (allowed: a path starting with "/")"#
        ),
        (
            #"{"upload": {"url_fetch_timeout_ms": 0}}"#,
            "config.json: upload.url_fetch_timeout_ms: 0 is out of range (allowed: 1 to 86400000)"
        ),
        (
            #"{"upload": {"url_fetch_total_timeout_ms": 0}}"#,
            "config.json: upload.url_fetch_total_timeout_ms: 0 is out of range (allowed: 1 to 604800000)"
        ),
        (
            #"{"upload": {"url_fetch_total_timeout_ms": 604800001}}"#,
            "config.json: upload.url_fetch_total_timeout_ms: 604800001 is out of range (allowed: 1 to 604800000)"
        ),
        (
            #"{"server": {"max_background_actions": 0}}"#,
            "config.json: server.max_background_actions: 0 is out of range (allowed: 1 to 100000)"
        ),
        (
            #"{"server": {"max_background_bytes": 65535}}"#,
            "config.json: server.max_background_bytes: 65535 is out of range (allowed: 65536 to 1099511627776)"
        ),
        (
            #"{"download": {"url_ttl_seconds": 0}}"#,
            "config.json: download.url_ttl_seconds: 0 is out of range (allowed: 1 to 315360000)"
        ),
        (
            #"{"download": {"count_flush_interval_ms": 9}}"#,
            "config.json: download.count_flush_interval_ms: 9 is out of range (allowed: 10 to 600000)"
        ),
    ])
    func rangeViolationIsReported(json: String, expected: String) {
        #expect(ConfigTestSupport.problems(json) == [expected])
    }

    @Test func rangeBoundariesAreAccepted() throws {
        let json = """
            {"self_id": 1, "server": {"port": 65535}, "limits": {"max_folder_depth": 64},
             "retention": {"group_file_days": 0, "private_file_days": 0}}
            """
        let config = try ConfigTestSupport.load(json).config
        #expect(config.server.port == 65535)
        #expect(config.limits.maxFolderDepth == 64)
        #expect(try ConfigTestSupport.load(#"{"server": {"port": 1}}"#).config.server.port == 1)
    }

    @Test func duplicateKeyIsReported() {
        #expect(
            ConfigTestSupport.problems(#"{"server": {"port": 1, "port": 2}}"#) == [
                "config.json: server.port: duplicate key (each key may appear only once)"
            ])
    }

    @Test func invalidJSONReportsTheParserReasonAndPosition() {
        #expect(
            ConfigTestSupport.problems("{\n  \"server\": {\"port\": 5700,}\n}") == [
                "config.json: (file): not valid JSON: unexpected '}' (expected a quoted key) at line 2, column 27"
            ])
        #expect(
            ConfigTestSupport.problems("") == [
                "config.json: (file): not valid JSON: unexpected end of input (expected a value) at line 1, column 1"
            ])
        #expect(
            ConfigTestSupport.problems(#"{"nickname": "a"} x"#) == [
                "config.json: (file): not valid JSON: unexpected text after the JSON value at line 1, column 19"
            ])
    }

    @Test func topLevelMustBeAnObject() {
        #expect(
            ConfigTestSupport.problems("[1, 2]") == [
                "config.json: (file): expected an object at the top level, got an array"
            ])
    }

    @Test func missingFileIsReported() {
        #expect(
            throws: ConfigError(problems: [
                .init(source: "/nonexistent/trefoil.json", key: "(file)", problem: "file not found")
            ])
        ) {
            try ConfigLoader.load(
                path: "/nonexistent/trefoil.json", environment: [:], sections: ConfigTestSupport.sections)
        }
    }

    @Test func directoryInsteadOfFileIsReported() {
        let directory = FileManager.default.temporaryDirectory.path
        #expect(
            throws: ConfigError(problems: [
                .init(source: directory, key: "(file)", problem: "is a directory, not a file")
            ])
        ) {
            try ConfigLoader.load(path: directory, environment: [:], sections: ConfigTestSupport.sections)
        }
    }

    @Test func fileFromDiskLoads() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "trefoil-config-\(UUID().uuidString).json")
        try Data(#"{"nickname": "Disk"}"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(
            try ConfigLoader.load(path: url.path, environment: [:], sections: ConfigTestSupport.sections).config
                .onebot11.nickname == "Disk")
    }

    @Test func errorDescriptionIsOneLinePerProblem() {
        do {
            _ = try ConfigTestSupport.load(#"{"server": {"port": 0}, "self_id": 0}"#)
            Issue.record("expected the load to fail")
        } catch {
            #expect(
                error.description == """
                    config.json: server.port: 0 is out of range (allowed: 1 to 65535)
                    config.json: self_id: 0 is out of range (allowed: 1 to 9007199254740991)
                    """)
        }
    }
}
