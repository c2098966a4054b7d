import Foundation
import OneBotSpec
import Testing
import TrefoilCore
import TrefoilTestSupport

@testable import OneBotV11

@Suite("Action table")
struct ActionTableTests {
    @Test("every catalog action has exactly one handler, and every handled action is in the catalog")
    func catalogMatchesHandlers() {
        let handled = ActionTable.standardHandlers.flatMap(\.actions)
        #expect(handled.count == Set(handled.map(\.name)).count)
        #expect(Set(handled.map(\.name)) == Set(ActionCatalog.all.map(\.name)))
    }

    @Test("the rendered reference lists every action, alias and param")
    func referenceIsComplete() {
        let markdown = ActionReference.render(ActionCatalog.all)
        for action in ActionCatalog.all {
            #expect(markdown.contains("## \(action.name)\n"))
            for alias in action.aliases { #expect(markdown.contains("`\(alias)`")) }
            for param in action.params { #expect(markdown.contains("| `\(param.name)` |")) }
        }
    }

    @Test("the committed docs/actions.md is what the catalog renders")
    func committedDocsAreCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("docs/actions.md"), encoding: .utf8)
        #expect(committed == ActionReference.render(ActionCatalog.all))
    }

    @Test("names, aliases and the _async / _rate_limited suffixes route; anything else does not")
    func routing() throws {
        let table = try makeTable()
        guard case .direct(let spec, _) = table.route("rename_group_file_folder") else {
            Issue.record("alias not routed")
            return
        }
        #expect(spec.name == "rename_group_folder")
        guard case .background = table.route("get_status_async"), case .queued = table.route("get_status_rate_limited")
        else {
            Issue.record("suffixes not routed")
            return
        }
        #expect(table.route("get_statu") == nil)
        #expect(table.route("_async") == nil)
    }

    @Test("an unknown action answers 1404 with its echo")
    func unknown() async throws {
        let table = try makeTable()
        let response = await table.respond(to: ActionRequest(action: "nope", echo: "e"))
        #expect(response == .failed(.apiNotFound("nope"), echo: "e"))
    }
}

func makeTable() throws -> ActionTable {
    let directory = DataDirectory(path: makeTempDirectory(prefix: "trefoil-face"))
    let tree = try FileTree.open(directory: directory, settings: .init())
    let signer = try LinkSigner.load(configured: "k", directory: directory)
    return ActionTable(context: ActionContext(tree: tree, signer: signer, config: .defaults, fetcher: nil))
}
