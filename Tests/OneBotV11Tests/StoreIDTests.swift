import Foundation
import Testing
import TrefoilCore
import TrefoilJSON

@testable import OneBotV11

/// The store's text ids and events as the OneBot face writes them.
@Suite("Store ids and events in OneBot")
struct StoreIDTests {
    func call(_ table: ActionTable, _ action: String, _ params: [String: JSONValue]) async throws -> JSONValue {
        let response = await table.respond(to: ActionRequest(action: action, params: Params(params)))
        try #require(response.status == .ok, "\(action): \(response)")
        if case .fragment(let fragment) = response.data { return fragment.value }
        return response.data
    }

    @Test("a group id is its decimal text in the store; an uploader or creator that is not a decimal integer is 0")
    func idsBothWays() async throws {
        let table = try makeTable()
        let tree = table.context.tree
        _ = try await tree.upload(oneChunk("a"), name: "a", to: .group("5"), by: Member(id: "u1", name: "Easemob"))
        _ = try await tree.upload(oneChunk("b"), name: "b", to: .group("5"), by: Member(id: "007"))
        _ = try await tree.upload(oneChunk("c"), name: "c", to: .group("5"), by: Member(id: "-42"))
        _ = try await tree.createFolder(named: "f", in: "5", by: Member(id: "u1"))
        let listing = try await call(table, "get_group_root_files", ["group_id": 5])
        guard case .array(let files) = listing["files"], case .array(let folders) = listing["folders"] else {
            Issue.record("a listing holds files and folders: \(listing)")
            return
        }
        let byName = files.sorted { ($0["file_name"]?.stringValue ?? "") < ($1["file_name"]?.stringValue ?? "") }
        #expect(byName.map { $0["file_name"] } == ["a", "b", "c"])
        #expect(byName.map { $0["uploader"] } == [0, 0, -42])
        #expect(files.map { $0["group_id"] } == [5, 5, 5])
        #expect(folders.map { $0["creator"] } == [0])

        _ = try await call(table, "create_group_file_folder", ["group_id": "9", "name": "bot"])
        #expect(try await tree.list(in: "9").folders.map(\.creator) == ["10000"])
        #expect(try await tree.owners(of: .group) == ["5", "9"])
    }

    @Test("a file stored in a group becomes group_upload; nothing else the store reports has a OneBot 11 notice")
    func notices() async throws {
        let table = try makeTable()
        let context = table.context
        let tree = context.tree
        let file = try await tree.upload(oneChunk("n"), name: "n.txt", to: .group("5"), by: Member(id: "77"))
        let notice = try #require(OneBotEvents.notice(for: .fileStored(file, origin: nil), context: context))
        #expect(notice["post_type"] == "notice")
        #expect(notice["notice_type"] == "group_upload")
        #expect(notice["group_id"] == 5)
        #expect(notice["user_id"] == 77)
        #expect(notice["self_id"] == 10000)
        #expect(notice["file"]?["id"] == .string(file.id.rawValue))
        #expect(notice["file"]?["busid"] == 102)

        let easemobGroup = try await tree.upload(oneChunk("g"), name: "g", to: .group("g1"), by: Member(id: "u1"))
        let byEasemobUser = try await tree.upload(oneChunk("u"), name: "u", to: .group("6"), by: Member(id: "u1"))
        let privateFile = try await tree.upload(oneChunk("p"), name: "p", to: .user("5"), by: Member(id: "5"))
        let folder = try await tree.createFolder(named: "f", in: "5", by: Member(id: "77"))
        #expect(OneBotEvents.notice(for: .fileStored(easemobGroup, origin: nil), context: context) == nil)
        #expect(OneBotEvents.notice(for: .fileStored(byEasemobUser, origin: nil), context: context)?["user_id"] == 0)
        #expect(OneBotEvents.notice(for: .fileStored(privateFile, origin: nil), context: context) == nil)
        #expect(OneBotEvents.notice(for: .fileDeleted(file, origin: nil), context: context) == nil)
        let folderEvents: [StoreEvent] = [
            .folderCreated(folder, origin: nil), .folderRenamed(folder, origin: nil),
            .folderDeleted(folder, origin: nil),
        ]
        for event in folderEvents { #expect(OneBotEvents.notice(for: event, context: context) == nil) }
    }
}
