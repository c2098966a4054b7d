import EasemobFace
import Foundation
import OneBotV11
import QiniuFace
import TrefoilConfiguration
import TrefoilConsole
import TrefoilTestSupport

/// Shortcuts for loading config text the way the server does, with the sections the executable declares; named so
/// they cannot clash with other test helpers.
enum ConfigTestSupport {
    static let sections: [any ConfigSectionSettings.Type] = [
        OneBot11Settings.self, EasemobSettings.self, QiniuSettings.self, ConsoleSettings.self,
    ]
    static let text = ConfigText(sections: sections)

    static func load(_ json: String, environment: [String: String] = [:]) throws(ConfigError) -> LoadedConfig {
        try text.load(json, environment: environment)
    }

    /// The problem lines a user would see, or [] when the text loads.
    static func problems(_ json: String, environment: [String: String] = [:]) -> [String] {
        text.problems(json, environment: environment)
    }

    /// The summary line of a config whose OneBot 11 settings are `settings`.
    static func summary(_ settings: OneBot11Settings) -> String {
        var config = TrefoilConfig.defaults
        config.onebot11 = settings
        return config.redactedSummary
    }
}
