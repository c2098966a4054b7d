/// The Markdown action reference (docs/actions.md), rendered from the catalog.
public enum ActionReference {
    public static func render(_ actions: [ActionSpec]) -> String {
        var out = """
            # OneBot 11 actions

            Generated from the action catalog by `swift package plugin generate-action-docs`; do not edit by hand.
            CI fails when this file differs from what the catalog generates.

            Every action is served over HTTP (`GET|POST /<action>`, or `POST /` with a whole envelope) and over
            forward WebSocket (`{"action", "params", "echo"}`). Numbers and booleans may be sent as strings.
            Append `_async` to run an action in the background (answered at once with `status: "async"`,
            `retcode: 1`), or `_rate_limited` to queue it behind other rate-limited actions (also answered async).
            While `server.max_background_actions` such actions, or `server.max_background_bytes` of their requests,
            are held (queued or running), another is refused at once with `retcode: 36000`
            (`msg: "BACKGROUND_QUEUE_FULL"`) and never runs.

            | action | aliases | summary |
            |---|---|---|

            """
        for action in actions {
            let aliases = action.aliases.map { "`\($0)`" }.joined(separator: ", ")
            out += "| [`\(action.name)`](#\(action.name)) | \(aliases) | \(action.summary) |\n"
        }
        for action in actions {
            out += "\n## \(action.name)\n\n\(action.summary)\n\n"
            if !action.aliases.isEmpty {
                out += "Also answers to: \(action.aliases.map { "`\($0)`" }.joined(separator: ", ")).\n\n"
            }
            if action.params.isEmpty {
                out += "No parameters.\n\n"
            } else {
                out += "| param | also accepted as | type | required | description |\n|---|---|---|---|---|\n"
                for param in action.params {
                    let aliases = param.aliases.map { "`\($0)`" }.joined(separator: ", ")
                    let requirement =
                        switch param.requirement {
                        case .required: "yes"
                        case .optional(let value?): "no (default: \(value))"
                        case .optional(nil): "no"
                        }
                    out +=
                        "| `\(param.name)` | \(aliases) | \(param.kind.rawValue) | \(requirement) | \(param.summary) |\n"
                }
                out += "\n"
            }
            out += "Returns: \(action.returns)\n"
        }
        return out
    }
}
