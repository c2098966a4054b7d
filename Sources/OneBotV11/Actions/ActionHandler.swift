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

/// Serves actions whose answer is several envelopes with one echo (NapCat's `download_file_stream`): every `emit`
/// sends one before the last, which is what `stream` returns.
public protocol StreamingActionHandler: ActionHandler {
    /// Runs `action`, emitting the envelopes' `data` before the last; `emit` throws once the client is gone.
    func stream(
        _ action: ActionSpec, _ params: Params, _ context: ActionContext,
        emit: (JSONValue) async throws -> Void
    ) async throws -> JSONValue
}

extension StreamingActionHandler {
    /// Without a transport to stream to (an `_async` call), the envelopes before the last go nowhere.
    public func handle(_ action: ActionSpec, _ params: Params, _ context: ActionContext) async throws -> JSONValue {
        try await stream(action, params, context) { _ in }
    }
}
