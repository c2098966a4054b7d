import Foundation
import OneBotV11
import Testing
import TrefoilConfiguration

@Suite("Config environment overrides")
struct ConfigEnvironmentTests {
    @Test func integerOverride() throws {
        let config = try ConfigTestSupport.load(
            "{}", environment: ["TREFOIL_SERVER_PORT": "8080", "TREFOIL_LIMITS_MAX_FILE_BYTES": "1048576"]
        ).config
        #expect(config.server.port == 8080)
        #expect(config.limits.maxFileBytes == 1_048_576)
    }

    @Test(arguments: [("true", true), ("FALSE", false), ("1", true), ("0", false), ("True", true)])
    func booleanOverride(value: String, expected: Bool) throws {
        let config = try ConfigTestSupport.load("{}", environment: ["TREFOIL_UPLOAD_COMPUTE_SHA3": value]).config
        #expect(config.upload.computeSHA3 == expected)
    }

    @Test func stringOverride() throws {
        let config = try ConfigTestSupport.load(
            "{}", environment: ["TREFOIL_NICKNAME": "Envbot", "TREFOIL_ACCESS_TOKEN": "from-env"]
        ).config
        #expect(config.onebot11.nickname == "Envbot")
        #expect(config.onebot11.accessToken == "from-env")
    }

    @Test func stringListOverrideAsJSON() throws {
        let config = try ConfigTestSupport.load(
            "{}", environment: ["TREFOIL_UPLOAD_LOCAL_ROOTS": #"["/tmp","/srv"]"#]
        ).config
        #expect(config.upload.localRoots == ["/tmp", "/srv"])
    }

    @Test func stringListOverrideAsCommaSeparatedValue() throws {
        let config = try ConfigTestSupport.load("{}", environment: ["TREFOIL_UPLOAD_LOCAL_ROOTS": "/tmp, /srv"]).config
        #expect(config.upload.localRoots == ["/tmp", "/srv"])
        let cleared = try ConfigTestSupport.load(
            #"{"upload": {"local_roots": ["/tmp"]}}"#, environment: ["TREFOIL_UPLOAD_LOCAL_ROOTS": ""]
        ).config
        #expect(cleared.upload.localRoots == [])
    }

    @Test func listOfObjectsOverride() throws {
        let config = try ConfigTestSupport.load(
            "{}",
            environment: [
                "TREFOIL_REVERSE_WS": #"[{"url":"ws://127.0.0.1:8080/ws"},{"api_url":"ws://h/api","role":"API"}]"#,
                "TREFOIL_HTTP_POST": #"[{"url":"http://127.0.0.1:8080/post","timeout_ms":100}]"#,
            ]
        ).config
        #expect(
            config.onebot11.reverseWS == [
                .init(url: "ws://127.0.0.1:8080/ws"), .init(apiURL: "ws://h/api", role: .api),
            ])
        #expect(config.onebot11.httpPost == [.init(url: "http://127.0.0.1:8080/post", timeoutMS: 100)])
    }

    /// The core's variables come first, then each section's, in schema order.
    @Test func badValuesAreReportedByVariableName() {
        let environment = [
            "TREFOIL_SERVER_PORT": "abc",
            "TREFOIL_SERVER_HOST": "",
            "TREFOIL_HEARTBEAT_ENABLE": "yes",
            "TREFOIL_HEARTBEAT_INTERVAL_MS": " 100",
            "TREFOIL_REVERSE_WS": #"[{"url":"http://h/ws","role":"Both"}]"#,
            "TREFOIL_HTTP_POST": "not json",
            "TREFOIL_LIMITS_MAX_FOLDER_DEPTH": "100",
            "TREFOIL_LIMITS_MAX_FILE_BYTES": "99999999999999999999",
            "TREFOIL_UPLOAD_LOCAL_ROOTS": "/tmp,srv",
            "TREFOIL_DOWNLOAD_URL_TTL_SECONDS": "1.5",
        ]
        #expect(
            ConfigTestSupport.problems("{}", environment: environment) == [
                #"environment: TREFOIL_SERVER_HOST: must not be empty (allowed: a host name or IP address)"#,
                #"environment: TREFOIL_SERVER_PORT: expected an integer, got "abc""#,
                #"environment: TREFOIL_LIMITS_MAX_FILE_BYTES: "99999999999999999999" does not fit in a 64-bit integer (allowed: -9223372036854775808 to 9223372036854775807)"#,
                "environment: TREFOIL_LIMITS_MAX_FOLDER_DEPTH: 100 is out of range (allowed: 1 to 64)",
                #"environment: TREFOIL_UPLOAD_LOCAL_ROOTS: [1]: "srv" is not an absolute path (allowed: a path starting with "/")"#,
                #"environment: TREFOIL_DOWNLOAD_URL_TTL_SECONDS: expected an integer, got "1.5""#,
                #"environment: TREFOIL_HEARTBEAT_ENABLE: expected a boolean, got "yes" (allowed: true, false, 1 or 0)"#,
                #"environment: TREFOIL_HEARTBEAT_INTERVAL_MS: expected an integer, got " 100""#,
                #"environment: TREFOIL_REVERSE_WS: [0].url: "http://h/ws" is not a valid URL (allowed: a ws:// or wss:// URL with a host, or "" for none)"#,
                #"environment: TREFOIL_REVERSE_WS: [0].role: "Both" is not a valid role (allowed: "Universal", "API", "Event")"#,
                "environment: TREFOIL_HTTP_POST: not valid JSON: unexpected character (expected a value) at line 1, column 1",
            ])
    }

    @Test func unknownTrefoilVariableIsOnlyAWarning() throws {
        let loaded = try ConfigTestSupport.load(
            "{}", environment: ["TREFOIL_SERVR_PORT": "1", "TREFOIL_COLOUR": "blue", "PATH": "/usr/bin"])
        #expect(loaded.config == TrefoilConfig.defaults)
        #expect(
            loaded.warnings == [
                "TREFOIL_COLOUR names no config key; ignored",
                "TREFOIL_SERVR_PORT names no config key; ignored (did you mean TREFOIL_SERVER_PORT?)",
            ])
    }

    @Test func sectionNameIsNotAVariable() throws {
        let loaded = try ConfigTestSupport.load("{}", environment: ["TREFOIL_SERVER": #"{"port": 1}"#])
        #expect(loaded.config == TrefoilConfig.defaults)
        #expect(loaded.warnings == ["TREFOIL_SERVER names no config key; ignored"])
    }

    @Test func environmentBeatsFile() throws {
        let json = #"{"server": {"port": 6000, "host": "0.0.0.0"}, "upload": {"local_roots": ["/a", "/b"]}}"#
        let config = try ConfigTestSupport.load(
            json, environment: ["TREFOIL_SERVER_PORT": "7000", "TREFOIL_UPLOAD_LOCAL_ROOTS": "/c"]
        ).config
        #expect(config.server.port == 7000)
        #expect(config.server.host == "0.0.0.0")
        #expect(config.upload.localRoots == ["/c"])
    }

    @Test func environmentAppliesWithoutAConfigFile() throws {
        let loaded = try ConfigLoader.load(
            path: nil, environment: ["TREFOIL_SELF_ID": "123"], sections: ConfigTestSupport.sections)
        #expect(loaded.config.onebot11.selfID == 123)
    }

    @Test func environmentProblemsFollowFileProblems() {
        #expect(
            ConfigTestSupport.problems(#"{"self_id": 0}"#, environment: ["TREFOIL_SERVER_PORT": "0"]) == [
                "config.json: self_id: 0 is out of range (allowed: 1 to 9007199254740991)",
                "environment: TREFOIL_SERVER_PORT: 0 is out of range (allowed: 1 to 65535)",
            ])
        #expect(
            ConfigTestSupport.problems("{", environment: ["TREFOIL_SERVER_PORT": "x"]) == [
                "config.json: (file): not valid JSON: unexpected end of input (expected a quoted key) at line 1, column 2",
                #"environment: TREFOIL_SERVER_PORT: expected an integer, got "x""#,
            ])
    }
}
