import Foundation
import OneBotSpec

/// Writes docs/actions.md from the action catalog: `trefoil-docgen [OUTPUT]` (stdout without one).
let markdown = ActionReference.render(ActionCatalog.all)
if CommandLine.arguments.count > 1 {
    try markdown.write(toFile: CommandLine.arguments[1], atomically: true, encoding: .utf8)
} else {
    print(markdown, terminator: "")
}
