/// The settings a config section fills: one face's, declared by that face.
///
/// The loader reads a declared section with the same machinery as the core's keys (one line per problem, `TREFOIL_`
/// overrides, "did you mean" suggestions, secrets kept out of problems and logs). A section it was not given is
/// an unknown key, so a config file can only configure the faces the executable wires.
public protocol ConfigSectionSettings: Sendable, Equatable {
    /// The settings with every key at its default.
    init()
    /// Whether the part this section configures is switched on: the section's `enable` key, which every section has.
    var enable: Bool { get set }
    /// The section's name, keys and log summary.
    static var section: ConfigSection<Self> { get }
}

extension ConfigSectionSettings {
    /// The section's keys as keys of the whole document.
    static var rootFields: [ConfigField<TrefoilConfig>] { section.rootFields }

    /// What the section's `check` finds in `config`'s settings, when the section is enabled. Without a config file
    /// (`source` is the environment) a problem is keyed by the variable that would set the key.
    static func sectionProblems(in config: TrefoilConfig, source: String) -> [ConfigProblem] {
        let settings = config[Self.self]
        guard settings.enable else { return [] }
        return section.check(settings).map { problem in
            var key = section.rootKey(problem.key)
            if source == ConfigEnvironment.source {
                key = key.split(separator: ".").reduce(ConfigPath()) { $0.appending(String($1)) }.environmentName
            }
            return ConfigProblem(source: source, key: key, problem: problem.problem)
        }
    }
}

/// How a config section is laid out in the document and logged.
public struct ConfigSection<Settings: ConfigSectionSettings> {
    /// Where a section's keys sit in the document.
    public enum Placement: Sendable {
        /// Under `"<name>": {…}`, beside `enable`; environment variables `TREFOIL_<NAME>_<KEY>`.
        case nested
        /// At the top level of the document, beside the core's keys, with only `enable` under `"<name>"`: for keys
        /// that config files had at the top level before sections existed (OneBot 11's), so that those files, their
        /// problem lines and their environment variables stay as they were.
        case topLevel
    }

    /// The section's key, such as `onebot11`; also the start of its environment variables.
    public let name: String
    public let placement: Placement
    /// The section's keys, without `enable` (every section gets that one).
    public let fields: [ConfigField<Settings>]
    /// The settings as `key=value` pairs for the start-up log line, keys relative to the section. Show secrets only
    /// through `ConfigRedaction`: the line is logged.
    public let summary: (Settings) -> [(key: String, value: String)]
    /// Problems with the settings as a whole, such as a key the face cannot run without, keyed relative to the
    /// section. Run on the loaded settings (file and environment) of an enabled section once every key passed its
    /// own rule; a rule checks only the values given, never the defaults.
    public let check: (Settings) -> [(key: String, problem: String)]

    public init(
        name: String, placement: Placement = .nested, fields: [ConfigField<Settings>],
        summary: @escaping (Settings) -> [(key: String, value: String)],
        check: @escaping (Settings) -> [(key: String, problem: String)] = { _ in [] }
    ) {
        self.name = name
        self.placement = placement
        self.fields = fields
        self.summary = summary
        self.check = check
    }

    /// The section's keys as keys of the whole document, writing into `TrefoilConfig`'s copy of the settings.
    var rootFields: [ConfigField<TrefoilConfig>] {
        let modify: (inout TrefoilConfig, (inout Settings) -> Void) -> Void = { config, body in
            body(&config[Settings.self])
        }
        let enable = ConfigField<Settings>.boolean("enable", \.enable)
        switch placement {
        case .nested:
            return [ConfigField.section(name, [enable] + fields).lifted(modify)]
        case .topLevel:
            return fields.map { $0.lifted(modify) } + [ConfigField.section(name, [enable]).lifted(modify)]
        }
    }

    /// The summary's pairs with keys as the document spells them.
    func rootSummary(_ settings: Settings) -> [(key: String, value: String)] {
        let pairs = summary(settings).map { (key: rootKey($0.key), value: $0.value) }
        let enable = (key: "\(name).enable", value: "\(settings.enable)")
        switch placement {
        case .nested: return [enable] + pairs
        case .topLevel: return pairs + [enable]
        }
    }

    /// A key relative to the section as the document spells it.
    func rootKey(_ key: String) -> String {
        placement == .nested ? "\(name).\(key)" : key
    }
}

extension ConfigField {
    /// The same key, storing into the part of `Outer` that `modify` hands over.
    func lifted<Outer>(_ modify: @escaping (inout Outer, (inout Root) -> Void) -> Void) -> ConfigField<Outer> {
        switch kind {
        case .section(let children):
            return ConfigField<Outer>(name: name, kind: .section(children.map { $0.lifted(modify) }))
        case .integer(let rule, let set):
            return ConfigField<Outer>(
                name: name, kind: .integer(rule, set: { outer, value in modify(&outer) { set(&$0, value) } }))
        case .boolean(let set):
            return ConfigField<Outer>(
                name: name, kind: .boolean(set: { outer, value in modify(&outer) { set(&$0, value) } }))
        case .string(let rule, let secret, let set):
            return ConfigField<Outer>(
                name: name,
                kind: .string(rule, secret: secret, set: { outer, value in modify(&outer) { set(&$0, value) } }))
        case .stringList(let rule, let set):
            return ConfigField<Outer>(
                name: name, kind: .stringList(item: rule, set: { outer, value in modify(&outer) { set(&$0, value) } }))
        case .entryList(let apply):
            return ConfigField<Outer>(
                name: name,
                kind: .entryList(apply: { outer, items, path, walker in
                    modify(&outer) { apply(&$0, items, path, &walker) }
                }))
        }
    }
}
