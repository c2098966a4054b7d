import Foundation
import TrefoilConfiguration

/// Shortcuts for loading config text the way the server does, named so they cannot clash with other test helpers.
enum ConfigTestSupport {
    static let source = "config.json"

    static func load(_ json: String, environment: [String: String] = [:]) throws(ConfigError) -> LoadedConfig {
        try ConfigLoader.load(json: Data(json.utf8), source: source, environment: environment)
    }

    /// The problem lines a user would see, or [] when the text loads.
    static func problems(_ json: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try load(json, environment: environment)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }
}
