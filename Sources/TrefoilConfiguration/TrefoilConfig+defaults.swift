extension TrefoilConfig {
    /// The settings used for every key the config file and environment leave out.
    ///
    /// The default values themselves are the default arguments of the initializers, so a config built in code and
    /// one loaded from `{}` cannot drift apart.
    public static let defaults = TrefoilConfig()
}
