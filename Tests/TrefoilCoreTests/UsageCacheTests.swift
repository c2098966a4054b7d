import Synchronization
import Testing

@testable import TrefoilCore

/// `fileSystemInfo` answers from cached counters between writes; these pin that no answer is ever
/// older than a write that has returned.
@Suite("Cached group usage")
struct UsageCacheTests {
    let alice = Member(id: "42", name: "Alice")

    @Test("every kind of write shows in the next fileSystemInfo")
    func everyWriteShows() async throws {
        let store = try TestStore(settings: .with(.group) { $0.fileDays = 1 })
        let tree = store.tree
        #expect(try await tree.fileSystemInfo(of: .group("1")).fileCount == 0)
        let first = try await store.upload("12345")
        #expect(try await tree.fileSystemInfo(of: .group("1")).fileCount == 1)
        #expect(try await tree.fileSystemInfo(of: .group("1")).usedSpace == 5)
        let folder = try await tree.createFolder(named: "d", in: "1", by: alice)
        try await store.upload("123", folder: folder.id)
        #expect(try await tree.fileSystemInfo(of: .group("1")).fileCount == 2)
        try await tree.deleteFile(first.id, of: .group("1"))
        #expect(try await tree.fileSystemInfo(of: .group("1")).usedSpace == 3)
        try await tree.deleteFolder(folder.id, in: "1")
        #expect(
            try await tree.fileSystemInfo(of: .group("1"))
                == FileSystemInfo(
                    fileCount: 0, limitCount: 10_000, usedSpace: 0, totalSpace: 10 << 30))
        try await store.upload("1234567")
        #expect(try await tree.fileSystemInfo(of: .group("1")).fileCount == 1)
        store.clock.advance(by: 86_400)
        #expect(try await tree.expireFiles() == 1)
        #expect(try await tree.fileSystemInfo(of: .group("1")).fileCount == 0)
        // Another group's counters are its own.
        try await store.upload("x", group: "2")
        #expect(try await tree.fileSystemInfo(of: .group("1")).fileCount == 0)
        #expect(try await tree.fileSystemInfo(of: .group("2")).fileCount == 1)
    }

    @Test("under concurrent uploads and readers, no reader sees fewer files than uploads that returned")
    func neverOlderThanAReturnedWrite() async throws {
        let store = try TestStore()
        let tree = store.tree
        let returned = Tally()
        let stale = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                group.addTask {
                    try await store.upload("file \(i)", name: "f\(i)")
                    returned.add()
                    let seen = try await tree.fileSystemInfo(of: .group("1")).fileCount
                    if seen < 1 { stale.add() }
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<200 {
                        let before = returned.value
                        let seen = try await tree.fileSystemInfo(of: .group("1")).fileCount
                        if seen < before { stale.add() }
                        await Task.yield()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(stale.value == 0)
        #expect(try await tree.fileSystemInfo(of: .group("1")).fileCount == 40)
    }
}

/// A counter tasks share.
final class Tally: Sendable {
    private let count = Atomic<Int64>(0)
    var value: Int64 { count.load(ordering: .sequentiallyConsistent) }
    func add() { count.add(1, ordering: .sequentiallyConsistent) }
}
