import EasemobFace
import Foundation
import Testing
import TrefoilConfiguration

/// The `easemob` section as `check-config` and start-up read it.
@Suite("Config: the easemob section")
struct ConfigEasemobTests {
    @Test("enabled without its names and credentials, each missing key is one line")
    func requiredWhenEnabled() {
        #expect(
            ConfigTestSupport.problems(#"{"easemob": {"enable": true, "org_name": "acme"}}"#) == [
                "config.json: easemob.app_name: must be set when easemob.enable is true",
                "config.json: easemob.client_id: must be set when easemob.enable is true",
                "config.json: easemob.client_secret: must be set when easemob.enable is true",
            ])
        #expect(ConfigTestSupport.problems(#"{"easemob": {"org_name": "acme"}}"#) == [])
    }

    @Test("org, app and App ID must be plain path segments")
    func namesArePathSegments() {
        let problems = ConfigTestSupport.problems(
            #"{"easemob": {"org_name": "a/b", "app_name": "..", "app_id": "x y"}}"#)
        #expect(problems.count == 3)
        #expect(problems.allSatisfy { $0.contains("is not a plain path segment") })
        #expect(
            ConfigTestSupport.problems(#"{"easemob": {"org_name": "acme-1", "app_name": "chat_2.0", "app_id": ""}}"#)
                == [])
    }

    @Test("the client secret never appears in problems or in the start-up summary")
    func secretStaysOut() throws {
        let wrongType = ConfigTestSupport.problems(#"{"easemob": {"client_secret": ["hunter2"]}}"#)
        #expect(wrongType == ["config.json: easemob.client_secret: expected a string, got an array"])
        let loaded = try ConfigTestSupport.load(
            #"{"easemob": {"enable": true, "org_name": "acme", "app_name": "chat", "client_id": "id", "client_secret": "hunter2"}}"#
        )
        #expect(loaded.config.easemob.clientSecret == "hunter2")
        #expect(!loaded.config.redactedSummary.contains("hunter2"))
        #expect(loaded.config.redactedSummary.contains("easemob.org_name=\"acme\""))
    }

    @Test("every key has a TREFOIL_EASEMOB_ variable")
    func environment() throws {
        let loaded = try ConfigTestSupport.load(
            "{}",
            environment: [
                "TREFOIL_EASEMOB_ENABLE": "true", "TREFOIL_EASEMOB_ORG_NAME": "acme",
                "TREFOIL_EASEMOB_APP_NAME": "chat",
                "TREFOIL_EASEMOB_CLIENT_ID": "id", "TREFOIL_EASEMOB_CLIENT_SECRET": "s",
                "TREFOIL_EASEMOB_CALLS_PER_SECOND": "50",
            ])
        #expect(loaded.config.easemob.enable && loaded.config.easemob.callsPerSecond == 50)
    }
}
