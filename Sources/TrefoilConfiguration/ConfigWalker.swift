import TrefoilJSON

/// Which keys of one JSON object were given and which of them had problems.
public struct ConfigObjectOutcome: Sendable {
    /// The keys the object gave.
    public var present: Set<String> = []
    /// The keys whose values were reported as problems.
    public var failed: Set<String> = []
}

/// Reads JSON values into a config through its fields, collecting every problem instead of stopping at the first.
struct ConfigWalker {
    /// The file path, or `environment`.
    let source: String
    /// While an environment value is read, the variable it came from: problems are keyed by the variable, and
    /// a position inside the value (`[0].role`) moves into the problem text.
    var variable: (name: String, depth: Int)?
    private(set) var problems: [ConfigProblem] = []
    /// The dotted path of every key the document gave, valid or not.
    private(set) var given: Set<String> = []

    init(source: String) {
        self.source = source
    }

    mutating func report(_ path: ConfigPath, _ problem: String) {
        guard let variable else {
            problems.append(ConfigProblem(source: source, key: path.rendered, problem: problem))
            return
        }
        let inner = path.rendered(droppingFirst: variable.depth)
        problems.append(
            ConfigProblem(source: source, key: variable.name, problem: inner.isEmpty ? problem : "\(inner): \(problem)")
        )
    }

    /// Reads an object's members in document order; nil when `value` is not an object.
    @discardableResult
    mutating func walkObject<Root>(
        _ value: OrderedJSON, fields: [ConfigField<Root>], path: ConfigPath, into root: inout Root
    ) -> ConfigObjectOutcome? {
        guard case .object(let members) = value else {
            report(path, "expected an object, got \(ConfigWording.describe(value, secret: false))")
            return nil
        }
        var outcome = ConfigObjectOutcome()
        for member in members {
            let memberPath = path.appending(member.key)
            guard let field = fields.first(where: { $0.name == member.key }) else {
                report(memberPath, Self.unknownKeyProblem(member.key, known: fields.map(\.name)))
                continue
            }
            given.insert(memberPath.rendered)
            guard outcome.present.insert(member.key).inserted else {
                // Parsers disagree on which duplicate wins, so the file's intent is unclear.
                report(memberPath, "duplicate key (each key may appear only once)")
                outcome.failed.insert(member.key)
                continue
            }
            let problemsBefore = problems.count
            apply(member.value, to: field, path: memberPath, into: &root)
            if problems.count > problemsBefore { outcome.failed.insert(member.key) }
        }
        return outcome
    }

    /// Reports every replaced key that the document gave together with the key that replaced it.
    mutating func reportReplacedKeys() {
        for (old, new) in ConfigSchema.replacedKeys where given.contains(old) && given.contains(new) {
            problems.append(ConfigProblem(source: source, key: old, problem: ConfigSchema.replacedKeyProblem(new)))
        }
    }

    /// Checks one JSON value against its field and stores it when it passes.
    mutating func apply<Root>(
        _ value: OrderedJSON, to field: ConfigField<Root>, path: ConfigPath, into root: inout Root
    ) {
        switch (field.kind, value) {
        case (.section(let fields), _):
            walkObject(value, fields: fields, path: path, into: &root)
        case (.integer(let rule, let set), .number(let text)):
            switch ConfigIntegerLiteral.parse(json: text) {
            case .value(let integer): store(integer, rule.problem(for: integer), set, path, &root)
            case .notAnInteger: report(path, "expected an integer, got number \(text)")
            case .doesNotFit: report(path, "\(text) \(ConfigIntegerLiteral.fitProblem)")
            }
        case (.boolean(let set), .bool(let flag)):
            set(&root, flag)
        case (.string(let rule, _, let set), .string(let text)):
            store(text, rule.problem(text), set, path, &root)
        case (.stringList(let rule, let set), .array(let items)):
            let problemsBefore = problems.count
            var strings: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    report(
                        path.appending(index: index),
                        "expected a string, got \(ConfigWording.describe(item, secret: false))")
                    continue
                }
                if let problem = rule.problem(text) { report(path.appending(index: index), problem) }
                strings.append(text)
            }
            if problems.count == problemsBefore { set(&root, strings) }
        case (.entryList(let apply), .array(let items)):
            apply(&root, items, path, &self)
        default:
            report(path, "expected \(field.expectedType), got \(ConfigWording.describe(value, secret: field.isSecret))")
        }
    }

    mutating func store<Root, Value>(
        _ value: Value, _ problem: String?, _ set: (inout Root, Value) -> Void, _ path: ConfigPath,
        _ root: inout Root
    ) {
        if let problem {
            report(path, problem)
        } else {
            set(&root, value)
        }
    }

    static func unknownKeyProblem(_ key: String, known: [String]) -> String {
        if let suggestion = ConfigWording.suggestion(for: key, among: known) {
            return "unknown key (did you mean \(ConfigWording.quoted(suggestion))?)"
        }
        return "unknown key (allowed keys: \(known.joined(separator: ", ")))"
    }
}
