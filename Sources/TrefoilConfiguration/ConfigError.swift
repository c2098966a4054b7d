/// The configuration could not be loaded; lists every problem found, not just the first.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, file problems in document order first, then environment problems.
    public let problems: [ConfigProblem]

    /// Creates an error from its problems.
    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    /// One line per problem.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
