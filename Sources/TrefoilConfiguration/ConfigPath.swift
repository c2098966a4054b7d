/// Where a value sits in the config document, such as `reverse_ws[0].role`.
struct ConfigPath: Equatable {
    enum Component: Equatable {
        case key(String)
        case index(Int)
    }

    private(set) var components: [Component] = []

    func appending(_ key: String) -> ConfigPath {
        ConfigPath(components: components + [.key(key)])
    }

    func appending(index: Int) -> ConfigPath {
        ConfigPath(components: components + [.index(index)])
    }

    /// The dotted form used as a problem's key.
    var rendered: String { rendered(droppingFirst: 0) }

    /// The dotted form of the part below the first `count` components, such as `[0].role` below `reverse_ws`.
    func rendered(droppingFirst count: Int) -> String {
        var text = ""
        for component in components.dropFirst(count) {
            switch component {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// The environment variable that overrides this key, such as `TREFOIL_SERVER_PORT`.
    var environmentName: String {
        let keys = components.compactMap { component -> String? in
            if case .key(let key) = component { return key.uppercased() }
            return nil
        }
        return ConfigEnvironment.prefix + keys.joined(separator: "_")
    }
}

extension ConfigPath {
    /// The path of a dotted key without list indexes, such as `spaces.group.total_space`.
    init(dotted key: String) {
        self.init(components: key.split(separator: ".").map { .key(String($0)) })
    }
}
