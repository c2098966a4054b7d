import Foundation
import TrefoilConfiguration

/// Config text loaded the way the server loads a file named `config.json`, with the given faces' sections.
public struct ConfigText: Sendable {
    public static let source = "config.json"
    public let sections: [any ConfigSectionSettings.Type]

    public init(sections: [any ConfigSectionSettings.Type]) {
        self.sections = sections
    }

    public func load(_ json: String, environment: [String: String] = [:]) throws(ConfigError) -> LoadedConfig {
        try ConfigLoader.load(json: Data(json.utf8), source: Self.source, environment: environment, sections: sections)
    }

    /// The problem lines a user would see, or [] when the text loads.
    public func problems(_ json: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try load(json, environment: environment)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }
}
