/// A validated configuration and the warnings noticed while loading it.
public struct LoadedConfig: Sendable, Equatable {
    /// The validated settings.
    public let config: TrefoilConfig
    /// Things worth telling the operator that did not stop loading, such as unknown `TREFOIL_` variables.
    public let warnings: [String]

    /// Creates a loaded configuration.
    public init(config: TrefoilConfig, warnings: [String]) {
        self.config = config
        self.warnings = warnings
    }
}
