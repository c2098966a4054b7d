import Logging
import OneBotSpec
import TrefoilCore

/// Routes actions (by name and alias, with the `_async` and `_rate_limited` suffixes) to their
/// handlers and turns every outcome into exactly one response.
public struct ActionTable: Sendable {
    /// How a name is served.
    public enum Route: Sendable {
        case direct(ActionSpec, any ActionHandler)
        /// `<action>_async`: answered at once, run in the background.
        case background(ActionSpec, any ActionHandler)
        /// `<action>_rate_limited`: answered at once, queued behind the other rate-limited actions.
        case queued(ActionSpec, any ActionHandler)
    }

    /// Every handler of the face; together they serve `ActionCatalog.all`.
    public static let standardHandlers: [any ActionHandler] = [
        UploadActions(), GroupFileActions(), PrivateFileActions(), FolderActions(), DownloadFileAction(),
        GroupNoticeActions(), StagingActions(), FragmentedUploadAction(), FileReadActions(), NapCatStreamActions(),
        ShamrockChunkAction(), AccountActions(),
    ]

    public let context: ActionContext
    public let background: BackgroundActions
    private let routes: [String: (ActionSpec, any ActionHandler)]
    private let logger: Logger

    public init(
        context: ActionContext,
        handlers: [any ActionHandler] = ActionTable.standardHandlers,
        logger: Logger = Logger(label: "trefoil.onebot")
    ) {
        var routes: [String: (ActionSpec, any ActionHandler)] = [:]
        for handler in handlers {
            for spec in handler.actions {
                for name in [spec.name] + spec.aliases { routes[name] = (spec, handler) }
            }
        }
        self.routes = routes
        self.context = context
        self.logger = logger
        background = BackgroundActions(limits: context.backgroundLimits, logger: logger)
    }

    /// Every name the table answers, aliases included (without suffixes).
    public var names: Set<String> { Set(routes.keys) }

    public func route(_ action: String) -> Route? {
        if let (spec, handler) = routes[action] { return .direct(spec, handler) }
        if action.hasSuffix("_async"), let (spec, handler) = routes[String(action.dropLast("_async".count))] {
            return .background(spec, handler)
        }
        if action.hasSuffix("_rate_limited"),
            let (spec, handler) = routes[String(action.dropLast("_rate_limited".count))]
        {
            return .queued(spec, handler)
        }
        return nil
    }

    /// Runs one request to its response. Never throws: every failure becomes a failed envelope.
    ///
    /// A stream action (`ActionSpec.streamed`) may answer with several envelopes: `emit` gets each one before the
    /// last (and answers false once the client is gone, which ends the action); the last is returned. Without
    /// `emit`, those envelopes are dropped.
    public func respond(to request: ActionRequest) async -> ActionResponse {
        await respond(to: request) { _ in true }
    }

    /// `respond(to:)`, handing a stream action's envelopes before the last to `emit` as they are made.
    public func respond(
        to request: ActionRequest, emit: (ActionResponse) async -> Bool
    ) async -> ActionResponse {
        let start = ContinuousClock.now
        let response = await answer(request, emit: emit)
        record(request.action, response, since: start)
        return response
    }

    private func answer(_ request: ActionRequest, emit: (ActionResponse) async -> Bool) async -> ActionResponse {
        guard let route = route(request.action) else {
            return .failed(.apiNotFound(request.action), echo: request.echo)
        }
        switch route {
        case .direct(let spec, let handler):
            do {
                if let streaming = handler as? any StreamingActionHandler {
                    let data = try await streaming.stream(spec, request.params, context) { data in
                        guard await emit(ActionResponse.ok(data, echo: request.echo).streamed()) else {
                            throw CancellationError()
                        }
                    }
                    return ActionResponse.ok(data, echo: request.echo).streamed(spec.streamed)
                }
                return ActionResponse.ok(try await handler.handle(spec, request.params, context), echo: request.echo)
                    .streamed(spec.streamed)
            } catch {
                return ActionResponse.failed(failure(error, action: spec.name), echo: request.echo)
                    .streamed(spec.streamed)
            }
        case .background(let spec, let handler), .queued(let spec, let handler):
            let job: @Sendable () async -> Void = { [context] in
                do {
                    _ = try await handler.handle(spec, request.params, context)
                } catch {
                    _ = failure(error, action: spec.name)
                }
            }
            let bytes = request.params.heldBytes
            let admission: BackgroundActions.Admission
            if case .queued = route {
                admission = background.enqueue(job, bytes: bytes)
            } else {
                admission = background.start(job, bytes: bytes)
            }
            switch admission {
            case .accepted:
                return .async(echo: request.echo)
            case .full:
                return .failed(backgroundQueueFull(request.action, bytes: bytes), echo: request.echo)
            case .shuttingDown:
                return .failed(.internalError("the gateway is shutting down"), echo: request.echo)
            }
        }
    }

    /// Why `action` was not accepted, with the limit it hit and how to get the work done anyway.
    private func backgroundQueueFull(_ action: String, bytes: Int64) -> OneBotError {
        let limits = background.limits
        let held = background.held
        logger.debug(
            "background action refused: queue full",
            metadata: ["action": "\(action)", "held_actions": "\(held.actions)", "held_bytes": "\(held.bytes)"])
        let reason =
            bytes > limits.maxBytes
            ? "this request (\(bytes) bytes) is larger than server.max_background_bytes (\(limits.maxBytes))"
            : "\(held.actions) of server.max_background_actions (\(limits.maxActions)) actions and \(held.bytes) of "
                + "server.max_background_bytes (\(limits.maxBytes)) bytes are held"
        return .backgroundQueueFull(
            "not accepted: the background queue is full (\(reason)); retry later, or call the action without the suffix"
        )
    }

    /// The face's error for `error`, logged with detail when it is a bug or an I/O failure.
    private func failure(_ error: any Error, action: String) -> OneBotError {
        let failure = OneBotError(error, action: action)
        if failure.retcode == 20002 || failure.retcode == 31000 || failure.retcode == 32002 {
            logger.error("action failed", metadata: ["action": "\(action)", "error": "\(error)"])
        } else {
            logger.debug("action refused", metadata: ["action": "\(action)", "error": "\(failure.message)"])
        }
        return failure
    }
}
