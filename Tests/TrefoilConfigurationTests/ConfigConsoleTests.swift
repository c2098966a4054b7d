import Testing
import TrefoilConfiguration
import TrefoilConsole

/// The `console` section as `check-config` and start-up read it.
@Suite("Config: the console section")
struct ConfigConsoleTests {
    @Test("the console is on by default, signs in with the access token, and keeps a session 12 hours")
    func defaults() throws {
        let console = try ConfigTestSupport.load("{}").config.console
        #expect(console.enable)
        #expect(console.password == "")
        #expect(console.sessionTTLSeconds == 43_200)
        #expect(console.uploaderID == "0")
    }

    @Test("console.password comes from the file or TREFOIL_CONSOLE_PASSWORD and never shows in problems or the summary")
    func passwordStaysSecret() throws {
        let loaded = try ConfigTestSupport.load(
            #"{"console": {"password": "hunter2-console"}}"#,
            environment: ["TREFOIL_CONSOLE_SESSION_TTL_SECONDS": "600"])
        #expect(loaded.config.console.password == "hunter2-console")
        #expect(loaded.config.console.sessionTTLSeconds == 600)
        #expect(loaded.config.redactedSummary.contains("console.password=set"))
        #expect(!loaded.config.redactedSummary.contains("hunter2"))
        let fromEnvironment = try ConfigTestSupport.load("{}", environment: ["TREFOIL_CONSOLE_PASSWORD": "env-pass"])
        #expect(fromEnvironment.config.console.password == "env-pass")
        #expect(
            ConfigTestSupport.problems(#"{"console": {"password": ["hunter2"]}}"#) == [
                "config.json: console.password: expected a string, got an array"
            ])
    }

    @Test("a blank uploader_id is refused with the key's path")
    func blankUploader() {
        #expect(
            ConfigTestSupport.problems(#"{"console": {"uploader_id": " "}}"#) == [
                "config.json: console.uploader_id: must not be empty (allowed: the user id console uploads are stored under)"
            ])
    }
}
