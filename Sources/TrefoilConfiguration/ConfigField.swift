import TrefoilJSON

/// One key of the config document: its name, what it holds, how it is checked, and where it is stored in `Root`.
///
/// Values are written straight into a copy of the defaults, so a key the file leaves out keeps its default and only
/// values that pass their checks are ever stored. A face declares its own section from these (`ConfigSection`); the
/// loader reads it exactly like the core's keys.
public struct ConfigField<Root> {
    /// The key's name in the document; its environment variable is derived from it.
    public let name: String
    let kind: Kind

    enum Kind {
        case section([ConfigField<Root>])
        case integer(ConfigIntegerRule, set: (inout Root, Int64) -> Void)
        case boolean(set: (inout Root, Bool) -> Void)
        case string(ConfigStringRule, secret: Bool, set: (inout Root, String) -> Void)
        case stringList(item: ConfigStringRule, set: (inout Root, [String]) -> Void)
        /// A list of objects; `apply` checks every entry and stores the list only when all entries are valid.
        case entryList(apply: (inout Root, [OrderedJSON], ConfigPath, inout ConfigWalker) -> Void)
    }

    /// The type the key holds, as named in "expected …" problems.
    var expectedType: String {
        switch kind {
        case .section: return "an object"
        case .integer: return "an integer"
        case .boolean: return "a boolean (true or false)"
        case .string: return "a string"
        case .stringList: return "an array of strings"
        case .entryList: return "an array of objects"
        }
    }

    /// Whether the value must never appear in problems, warnings or logs.
    var isSecret: Bool {
        if case .string(_, let secret, _) = kind { return secret }
        return false
    }

    /// An object of keys, such as `server`.
    public static func section(_ name: String, _ fields: [ConfigField<Root>]) -> ConfigField {
        ConfigField(name: name, kind: .section(fields))
    }

    /// An integer within `rule`'s range (every integer key has both ends, see `ConfigBound`).
    public static func integer<Value: FixedWidthInteger>(
        _ name: String, _ keyPath: WritableKeyPath<Root, Value>, _ rule: ConfigIntegerRule
    ) -> ConfigField {
        // Clamping the rule to the property's own range keeps the conversion below from trapping.
        let rule = ConfigIntegerRule(
            minimum: max(rule.minimum, Int64(clamping: Value.min)),
            maximum: min(rule.maximum, Int64(clamping: Value.max)))
        return ConfigField(
            name: name, kind: .integer(rule, set: { root, value in root[keyPath: keyPath] = Value(value) }))
    }

    /// `true` or `false` (from the environment also `1` or `0`).
    public static func boolean(_ name: String, _ keyPath: WritableKeyPath<Root, Bool>) -> ConfigField {
        ConfigField(name: name, kind: .boolean(set: { root, value in root[keyPath: keyPath] = value }))
    }

    /// A string that passes `rule`; a `secret` one never appears in problems (only its type does).
    public static func string(
        _ name: String, _ keyPath: WritableKeyPath<Root, String>, _ rule: ConfigStringRule = .any, secret: Bool = false
    ) -> ConfigField {
        ConfigField(
            name: name, kind: .string(rule, secret: secret, set: { root, value in root[keyPath: keyPath] = value }))
    }

    /// One of an enumeration's raw values; a problem lists them all.
    public static func choice<Choice: RawRepresentable & CaseIterable>(
        _ name: String, _ keyPath: WritableKeyPath<Root, Choice>, what: String
    ) -> ConfigField where Choice.RawValue == String {
        let rule = ConfigStringRule.oneOf(Choice.allCases.map(\.rawValue), what: what)
        return ConfigField(
            name: name,
            kind: .string(
                rule, secret: false,
                set: { root, value in
                    if let choice = Choice(rawValue: value) { root[keyPath: keyPath] = choice }
                }))
    }

    /// An array of strings, each passing `rule`; from the environment, a JSON array or comma-separated items.
    public static func stringList(
        _ name: String, _ keyPath: WritableKeyPath<Root, [String]>, item rule: ConfigStringRule = .any
    ) -> ConfigField {
        ConfigField(name: name, kind: .stringList(item: rule, set: { root, value in root[keyPath: keyPath] = value }))
    }

    /// A list of objects, each starting from `template` so keys an entry leaves out take the per-entry defaults.
    ///
    /// `check` sees each entry after its keys were read and returns a problem with the entry as a whole, such as a
    /// missing required key.
    public static func entryList<Entry>(
        _ name: String, _ keyPath: WritableKeyPath<Root, [Entry]>, template: Entry, fields: [ConfigField<Entry>],
        check: @escaping (Entry, ConfigObjectOutcome) -> String?
    ) -> ConfigField {
        ConfigField(
            name: name,
            kind: .entryList(apply: { root, items, path, walker in
                let problemsBefore = walker.problems.count
                var entries: [Entry] = []
                for (index, item) in items.enumerated() {
                    var entry = template
                    let entryPath = path.appending(index: index)
                    guard let outcome = walker.walkObject(item, fields: fields, path: entryPath, into: &entry) else {
                        continue
                    }
                    if let problem = check(entry, outcome) { walker.report(entryPath, problem) }
                    entries.append(entry)
                }
                if walker.problems.count == problemsBefore { root[keyPath: keyPath] = entries }
            }))
    }
}
