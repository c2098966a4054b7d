import OneBotSpec
import TrefoilCore
import TrefoilJSON

/// The standard actions every client calls first: login info, status, version.
struct AccountActions: ActionHandler {
    let actions = [ActionCatalog.getLoginInfo, ActionCatalog.getStatus, ActionCatalog.getVersionInfo]

    func handle(_ action: ActionSpec, _ params: Params, _ context: ActionContext) async throws -> JSONValue {
        switch action {
        case ActionCatalog.getLoginInfo:
            ["user_id": .int(context.selfID), "nickname": .string(context.nickname)]
        case ActionCatalog.getStatus:
            await Self.status(context)
        default:
            [
                "app_name": "trefoil", "app_version": .string(TrefoilVersion.current), "protocol_version": "v11",
                "runtime": "swift",
            ]
        }
    }

    /// The `get_status` object, also carried by heartbeat events.
    static func status(_ context: ActionContext) async -> JSONValue {
        let good = await context.tree.isHealthy()
        let stat = context.transportStats().mapValues { JSONValue.int($0) }
        return ["online": true, "good": .bool(good), "stat": .object(stat)]
    }
}
