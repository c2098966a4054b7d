import Foundation
import PackagePlugin

/// `swift package plugin --allow-writing-to-package-directory generate-action-docs`: rewrites
/// docs/actions.md from the action catalog.
@main
struct ActionDocs: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let tool = try context.tool(named: "trefoil-docgen")
        let output = context.package.directoryURL.appending(path: "docs/actions.md")
        let process = try Process.run(tool.url, arguments: [output.path])
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Diagnostics.error("trefoil-docgen failed with status \(process.terminationStatus)")
            return
        }
        print("wrote \(output.path)")
    }
}
