import Foundation
import Synchronization
import Testing
import TrefoilCore
import TrefoilJSON

@testable import OneBotV11

/// The rendered-listing cache behind `get_group_root_files` and `get_group_files_by_folder`: a bot must never
/// see a listing older than a write that has returned, whatever the write was.
@Suite("Listing cache")
struct ListingCacheTests {
    let bob = Member(id: "7", name: "Bob")

    func call(_ table: ActionTable, _ action: String, _ params: [String: JSONValue]) async throws -> JSONValue {
        let response = await table.respond(to: ActionRequest(action: action, params: Params(params)))
        try #require(response.status == .ok, "\(action): \(response)")
        return response.data
    }

    /// The root listing through the table, as bytes.
    func rootListing(_ table: ActionTable) async throws -> [UInt8] {
        guard case .fragment(let fragment) = try await call(table, "get_group_root_files", ["group_id": 5]) else {
            Issue.record("the listing is not a written fragment")
            return []
        }
        return fragment.bytes
    }

    /// What the store says the root listing is now, rendered the same way.
    func freshRootListing(_ tree: FileTree) async throws -> [UInt8] {
        guard case .fragment(let fragment) = try await tree.list(in: "5").listingObject else { return [] }
        return fragment.bytes
    }

    @Test("after every kind of write the next listing is the store's, byte for byte; with none between, it is kept")
    func followsEveryWrite() async throws {
        let table = try makeTable()
        let tree = table.context.tree
        let cache = table.context.listings
        var writes: [(String, () async throws -> Void)] = []
        let upload = { (name: String, folder: FolderID) in
            try await tree.upload(oneChunk(name), name: name, to: .group(5), folder: folder, by: bob)
        }
        let first = try await upload("one.txt", .root)
        let second = try await upload("second.txt", .root)
        let folder = try await tree.createFolder(named: "docs", in: "5", by: bob)
        writes.append(("upload", { _ = try await upload("two.txt", .root) }))
        writes.append(("upload into a folder", { _ = try await upload("three.txt", folder.id) }))
        writes.append(
            (
                "count a download",
                {
                    tree.recordDownload(of: first.id)
                    try await tree.flushDownloadCounts()
                }
            ))
        writes.append(("rename a file", { try await tree.renameFile(first.id, of: .group(5), to: "uno.txt") }))
        writes.append(("move a file", { try await tree.moveFile(first.id, in: "5", to: folder.id) }))
        writes.append(("rename a folder", { try await tree.renameFolder(folder.id, in: "5", to: "papers") }))
        writes.append(("create a folder", { _ = try await tree.createFolder(named: "new", in: "5", by: bob) }))
        writes.append(("delete a file", { try await tree.deleteFile(second.id, of: .group(5)) }))
        writes.append(("delete a folder", { try await tree.deleteFolder(folder.id, in: "5") }))

        #expect(try await rootListing(table) == freshRootListing(tree))
        for (what, write) in writes {
            let before = try await rootListing(table)
            #expect(try await rootListing(table) == before, "a listing with no write between changed")
            try await write()
            let after = try await rootListing(table)
            #expect(after == (try await freshRootListing(tree)), "after: \(what)")
            #expect(after != before, "\(what) did not show")
        }
        #expect(cache.count >= 1)
    }

    @Test("the cache never holds more than its entry limit, however many pages are asked for")
    func bounded() async throws {
        let table = try makeTable()
        for offset in 0..<(ListingCache.maxEntries + 100) {
            _ = try await call(
                table, "get_group_files_by_folder",
                ["group_id": 5, "folder_id": "/", "file_count": 1, "start_index": .int(Int64(offset))])
            #expect(table.context.listings.count <= ListingCache.maxEntries)
        }
    }

    @Test("under concurrent uploads, no listing has fewer files than uploads that had returned before it was asked")
    func neverOlderThanAReturnedWrite() async throws {
        let table = try makeTable()
        let tree = table.context.tree
        let (returned, stale, bob) = (Counter(), Counter(), self.bob)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                group.addTask {
                    _ = try await tree.upload(oneChunk("file \(i)"), name: "f\(i)", to: .group(5), by: bob)
                    returned.add()
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<200 {
                        let before = returned.value
                        let listing = await table.respond(
                            to: ActionRequest(action: "get_group_root_files", params: Params(["group_id": 5]))
                        ).data
                        let seen: Int =
                            if case .fragment(let fragment) = listing, case .array(let files)? = fragment.value["files"]
                            { files.count } else { -1 }
                        if seen < before { stale.add() }
                        await Task.yield()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(stale.value == 0)
    }
}

/// `text` as one chunk of an upload.
func oneChunk(_ text: String) -> AsyncStream<[UInt8]> {
    AsyncStream { continuation in
        continuation.yield(Array(text.utf8))
        continuation.finish()
    }
}

/// A count that tasks share.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .sequentiallyConsistent) }
    func add() { count.add(1, ordering: .sequentiallyConsistent) }
}
