import OneBotSpec
import TrefoilJSON

/// Serves a family of actions. One struct per family keeps each handler small; the table routes
/// every name and alias of `actions` here.
public protocol ActionHandler: Sendable {
    /// The actions this handler serves.
    var actions: [ActionSpec] { get }

    /// Runs `action` (always one of `actions`, by its canonical name) and returns `data`.
    func handle(_ action: ActionSpec, _ params: Params, _ context: ActionContext) async throws -> JSONValue
}
