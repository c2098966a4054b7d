import Foundation

/// Loads the configuration: embedded defaults, then the config file, then `TREFOIL_` environment variables.
public enum ConfigLoader {
    // Problems about the file as a whole have no key of their own.
    static let fileKey = "(file)"

    /// Loads the config file at `path` with `environment` overrides, usually `ProcessInfo.processInfo.environment`.
    ///
    /// With a nil `path` there is no file: the defaults are used, and the environment still overrides them.
    public static func load(path: String?, environment: [String: String]) throws(ConfigError) -> LoadedConfig {
        guard let path else { return try finish(.defaults, fileProblems: [], environment: environment) }
        switch read(path) {
        case .data(let data):
            return try load(json: data, source: path, environment: environment)
        case .unreadable(let reason):
            // The environment is still checked so that one run reports everything there is to fix.
            let problem = ConfigProblem(source: path, key: fileKey, problem: reason)
            return try finish(.defaults, fileProblems: [problem], environment: environment)
        }
    }

    /// Loads config JSON read from `source` (named in problems) with `environment` overrides.
    public static func load(json: Data, source: String, environment: [String: String]) throws(ConfigError)
        -> LoadedConfig
    {
        var config = TrefoilConfig.defaults
        var walker = ConfigWalker(source: source)
        var problems: [ConfigProblem] = []
        do {
            let document = try ConfigJSONParser.parse(json)
            if case .object = document {
                walker.walkObject(document, fields: ConfigSchema.fields, path: ConfigPath(), into: &config)
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
            problems = [ConfigProblem(source: source, key: fileKey, problem: "not valid JSON: \(error.reason)")]
        }
        return try finish(config, fileProblems: problems, environment: environment)
    }

    private static func finish(
        _ config: TrefoilConfig, fileProblems: [ConfigProblem], environment: [String: String]
    ) throws(ConfigError) -> LoadedConfig {
        var config = config
        let overrides = ConfigEnvironment.apply(environment, to: &config)
        let problems = fileProblems + overrides.problems
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
