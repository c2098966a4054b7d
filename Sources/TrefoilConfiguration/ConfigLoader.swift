import Foundation
import TrefoilJSON

/// Loads the configuration: embedded defaults, then the config file, then `TREFOIL_` environment variables.
///
/// `sections` are the sections the faces declare (the executable passes those of every face it can wire); the
/// loader reads their keys like its own and stores every one of them, so that each face finds its settings (its
/// defaults when the file leaves the section out) and the summary lists them all.
public enum ConfigLoader {
    // Problems about the file as a whole have no key of their own.
    static let fileKey = "(file)"

    /// Loads the config file at `path` with `environment` overrides, usually `ProcessInfo.processInfo.environment`.
    ///
    /// With a nil `path` there is no file: the defaults are used, and the environment still overrides them.
    public static func load(
        path: String?, environment: [String: String], sections: [any ConfigSectionSettings.Type]
    ) throws(ConfigError) -> LoadedConfig {
        let schema = Schema(sections: sections)
        guard let path else {
            return try finish(schema.defaults, [], environment, schema, source: ConfigEnvironment.source)
        }
        switch read(path) {
        case .data(let data):
            return try load(json: data, source: path, environment: environment, sections: sections)
        case .unreadable(let reason):
            // The environment is still checked so that one run reports everything there is to fix.
            let problem = ConfigProblem(source: path, key: fileKey, problem: reason)
            return try finish(schema.defaults, [problem], environment, schema, source: path)
        }
    }

    /// Loads config JSON read from `source` (named in problems) with `environment` overrides.
    public static func load(
        json: Data, source: String, environment: [String: String], sections: [any ConfigSectionSettings.Type]
    ) throws(ConfigError) -> LoadedConfig {
        let schema = Schema(sections: sections)
        var config = schema.defaults
        var walker = ConfigWalker(source: source)
        var problems: [ConfigProblem] = []
        // Editors on some platforms save a byte order mark; it carries no meaning in UTF-8, and JSON has no room for it.
        let json = json.starts(with: [0xEF, 0xBB, 0xBF]) ? json.dropFirst(3) : json
        do {
            let document = try JSONParser.parseOrdered(json)
            if case .object = document {
                walker.walkObject(document, fields: schema.fields, path: ConfigPath(), into: &config)
                walker.reportReplacedKeys()
                problems = walker.problems
            } else {
                let found = ConfigWording.describe(document, secret: false)
                problems = [
                    ConfigProblem(
                        source: source, key: fileKey, problem: "expected an object at the top level, got \(found)")
                ]
            }
        } catch {
            problems = [ConfigProblem(source: source, key: fileKey, problem: "not valid JSON: \(error)")]
        }
        return try finish(config, problems, environment, schema, source: source)
    }

    /// The document's keys and defaults with the given sections.
    private struct Schema {
        let sections: [any ConfigSectionSettings.Type]
        let fields: [ConfigField<TrefoilConfig>]
        let defaults: TrefoilConfig

        init(sections: [any ConfigSectionSettings.Type]) {
            self.sections = sections
            fields = ConfigSchema.fields(sections: sections)
            var defaults = TrefoilConfig.defaults
            for section in sections { defaults.storeDefaults(of: section) }
            self.defaults = defaults
        }
    }

    /// Applies the environment, then checks each enabled section as a whole; `source` names the file (or the
    /// environment, without one) in the sections' problems.
    private static func finish(
        _ config: TrefoilConfig, _ fileProblems: [ConfigProblem], _ environment: [String: String], _ schema: Schema,
        source: String
    ) throws(ConfigError) -> LoadedConfig {
        var config = config
        let overrides = ConfigEnvironment.apply(environment, to: &config, fields: schema.fields)
        var problems = fileProblems + overrides.problems
        // A key that failed its own rule would only be reported again as missing: the whole-section checks wait
        // until every key is valid.
        if problems.isEmpty {
            problems =
                ConfigSchema.blobProblems(config, source: source)
                + schema.sections.flatMap { $0.sectionProblems(in: config, source: source) }
        }
        guard problems.isEmpty else { throw ConfigError(problems: problems) }
        return LoadedConfig(config: config, warnings: overrides.warnings)
    }

    private enum FileContents {
        case data(Data)
        case unreadable(String)
    }

    private static func read(_ path: String) -> FileContents {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .unreadable("file not found")
        }
        if isDirectory.boolValue { return .unreadable("is a directory, not a file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            return .unreadable("cannot be read (permission denied)")
        }
        do {
            return .data(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            return .unreadable("cannot be read (\(error.localizedDescription))")
        }
    }
}
