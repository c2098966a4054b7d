/// One thing wrong with the configuration, located by source and key.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// The config file's path as given, or `environment`.
    public var source: String
    /// The dotted key path such as `server.port` or `reverse_ws[0].role`, the variable name for an environment
    /// problem, or `(file)` for a problem with the file as a whole.
    public var key: String
    /// What is wrong and what is allowed.
    public var problem: String

    /// Creates a problem report.
    public init(source: String, key: String, problem: String) {
        self.source = source
        self.key = key
        self.problem = problem
    }

    /// The problem as one line: `SOURCE: KEY: PROBLEM`.
    public var description: String { "\(source): \(key): \(problem)" }
}
