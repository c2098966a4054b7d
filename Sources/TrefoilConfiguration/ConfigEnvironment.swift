import Foundation
import TrefoilJSON

/// Applies `TREFOIL_` environment variables on top of the file's values.
enum ConfigEnvironment {
    static let prefix = "TREFOIL_"
    static let source = "environment"

    /// Overrides every key of `fields` that has a variable set, returning the problems and the warnings about unused
    /// variables.
    static func apply(
        _ environment: [String: String], to config: inout TrefoilConfig, fields: [ConfigField<TrefoilConfig>]
    ) -> (problems: [ConfigProblem], warnings: [String]) {
        var walker = ConfigWalker(source: source)
        var known: [String] = []
        // Walking the schema rather than the dictionary keeps the problem order stable across runs.
        for (path, field) in leaves(of: fields, under: ConfigPath()) {
            let name = path.environmentName
            known.append(name)
            guard let value = environment[name] else { continue }
            walker.variable = (name, path.components.count)
            walker.applyEnvironment(value, to: field, path: path, into: &config)
        }
        var problems = walker.problems
        for (old, new) in ConfigSchema.replacedKeys {
            let (oldName, newName) = (ConfigPath(dotted: old).environmentName, ConfigPath(dotted: new).environmentName)
            if environment[oldName] != nil && environment[newName] != nil {
                problems.append(
                    ConfigProblem(source: source, key: oldName, problem: ConfigSchema.replacedKeyProblem(newName)))
            }
        }
        let knownNames = Set(known)
        let unused = environment.keys.filter { $0.hasPrefix(prefix) && !knownNames.contains($0) }.sorted()
        let warnings = unused.map { name in
            let hint = ConfigWording.suggestion(for: name, among: known).map { " (did you mean \($0)?)" } ?? ""
            return "\(name) names no config key; ignored\(hint)"
        }
        return (problems, warnings)
    }

    /// Every key that holds a value (everything but sections), with its path.
    static func leaves<Root>(
        of fields: [ConfigField<Root>], under path: ConfigPath
    ) -> [(ConfigPath, ConfigField<Root>)] {
        fields.flatMap { field -> [(ConfigPath, ConfigField<Root>)] in
            if case .section(let children) = field.kind {
                return leaves(of: children, under: path.appending(field.name))
            }
            return [(path.appending(field.name), field)]
        }
    }
}

extension ConfigWalker {
    /// Coerces an environment string to the field's type, checks it, and stores it when it passes.
    mutating func applyEnvironment<Root>(
        _ value: String, to field: ConfigField<Root>, path: ConfigPath, into root: inout Root
    ) {
        switch field.kind {
        case .section:
            break
        case .integer(let rule, let set):
            switch ConfigIntegerLiteral.parse(environment: value) {
            case .value(let integer): store(integer, rule.problem(for: integer), set, path, &root)
            case .notAnInteger: report(path, "expected an integer, got \(ConfigWording.quoted(value))")
            case .doesNotFit: report(path, "\(ConfigWording.quoted(value)) \(ConfigIntegerLiteral.fitProblem)")
            }
        case .boolean(let set):
            switch value.lowercased() {
            case "true", "1": set(&root, true)
            case "false", "0": set(&root, false)
            default:
                report(path, "expected a boolean, got \(ConfigWording.quoted(value)) (allowed: true, false, 1 or 0)")
            }
        case .string(let rule, _, let set):
            store(value, rule.problem(value), set, path, &root)
        case .stringList(let rule, let set):
            if value.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("[") {
                applyJSON(value, to: field, path: path, into: &root)
                return
            }
            let items = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { !$0.isEmpty }
            let problemsBefore = problems.count
            for (index, item) in items.enumerated() {
                if let problem = rule.problem(item) { report(path.appending(index: index), problem) }
            }
            if problems.count == problemsBefore { set(&root, items) }
        case .entryList:
            applyJSON(value, to: field, path: path, into: &root)
        }
    }

    private mutating func applyJSON<Root>(
        _ value: String, to field: ConfigField<Root>, path: ConfigPath, into root: inout Root
    ) {
        do {
            apply(try JSONParser.parseOrdered(Data(value.utf8)), to: field, path: path, into: &root)
        } catch {
            report(path, "not valid JSON: \(error)")
        }
    }
}
