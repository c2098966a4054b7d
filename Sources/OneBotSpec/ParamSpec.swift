/// One parameter of an action: its wire name, the aliases other implementations use, its type and
/// whether it is required.
///
/// Handlers read parameters through these values and the docs are generated from them, so what is
/// documented is exactly what is accepted.
public struct ParamSpec: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case int64
        case int32
        case string
        case bool
        /// `K=V` lines in one string, an array of such strings, or an object of strings (OneBot 12).
        case headers = "string, string[] or object"
        /// Bytes as standard base64 text (padding optional).
        case base64 = "base64 string"
    }

    public enum Requirement: Sendable, Hashable {
        case required
        /// Optional; `default` describes the value used when it is absent (nil: no default).
        case optional(default: String?)
    }

    public let name: String
    public let aliases: [String]
    public let kind: Kind
    public let requirement: Requirement
    public let summary: String

    public init(_ name: String, aliases: [String] = [], _ kind: Kind, _ requirement: Requirement, _ summary: String) {
        self.name = name
        self.aliases = aliases
        self.kind = kind
        self.requirement = requirement
        self.summary = summary
    }

    /// Every name the parameter is accepted under, the canonical one first.
    public var names: [String] { [name] + aliases }

    /// The same parameter with another requirement (a param is optional in one action, required in another).
    public func with(_ requirement: Requirement) -> ParamSpec {
        ParamSpec(name, aliases: aliases, kind, requirement, summary)
    }
}

/// One action of the OneBot 11 face.
public struct ActionSpec: Sendable, Hashable {
    public let name: String
    public let aliases: [String]
    public let summary: String
    public let params: [ParamSpec]
    /// The shape of `data` on success.
    public let returns: String
    /// Whether the answer is NapCat's stream envelope (`"stream": "stream-action"`), possibly several envelopes with
    /// one echo.
    public let streamed: Bool

    public init(
        _ name: String, aliases: [String] = [], _ summary: String, params: [ParamSpec], returns: String,
        streamed: Bool = false
    ) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        self.params = params
        self.returns = returns
        self.streamed = streamed
    }
}
