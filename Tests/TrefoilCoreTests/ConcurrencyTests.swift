import Testing
import TrefoilTestSupport

@testable import TrefoilCore

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("150 concurrent uploads, deletes and moves in one group leave exact counters and a clean fsck")
    func mixedConcurrentWrites() async throws {
        let store = try TestStore()
        let tree = store.tree
        let member = Member(id: "1")
        let folders = [
            try await tree.createFolder(named: "x", in: "1", by: member),
            try await tree.createFolder(named: "y", in: "1", by: member),
        ]
        var seeded: [StoredFile] = []
        for i in 0..<50 { seeded.append(try await store.upload("seed \(i % 10)", name: "s\(i)")) }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<100 {
                group.addTask {
                    _ = try await tree.upload(
                        chunks(pseudoRandomBytes(1000 + i, seed: UInt64(i % 20)), size: 333), name: "u\(i)",
                        to: .group("1"), folder: folders[i % 2].id, by: member)
                }
            }
            for (i, file) in seeded.enumerated() {
                group.addTask {
                    if i % 2 == 0 {
                        try await tree.deleteFile(file.id, of: .group("1"))
                    } else {
                        try await tree.moveFile(file.id, in: "1", to: folders[i % 4 == 1 ? 0 : 1].id)
                    }
                }
            }
            try await group.waitForAll()
        }

        let info = try await tree.fileSystemInfo(of: .group("1"))
        #expect(info.fileCount == 125)
        let listed = try await [FolderID.root, folders[0].id, folders[1].id].asyncFlatMap {
            try await tree.list($0, in: "1").files
        }
        #expect(listed.count == 125)
        #expect(info.usedSpace == listed.reduce(0) { $0 + $1.size })
        #expect(
            try await tree.folder(folders[0].id, in: "1").fileCount
                + (try await tree.folder(folders[1].id, in: "1").fileCount) == 125)
        #expect(try await tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("concurrent uploads near the quota never overshoot it")
    func quotaRace() async throws {
        let store = try TestStore(settings: .with(.group) { $0.totalSpace = 10_000 })
        let tree = store.tree
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<40 {
                group.addTask {
                    do {
                        _ = try await tree.upload(
                            chunks(pseudoRandomBytes(1000, seed: UInt64(i + 1)), size: 100), name: "q\(i)",
                            to: .group("1"),
                            by: Member(id: "1"))
                        return true
                    } catch TrefoilError.quotaExceeded {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 10)
        let info = try await tree.fileSystemInfo(of: .group("1"))
        #expect(info.usedSpace == 10_000)
        #expect(info.fileCount == 10)
        #expect(store.blobFiles().count == 10)
        #expect(try await tree.checkConsistency(repair: false).isClean)
    }

    @Test("concurrent uploads near the file count limit never overshoot it")
    func countRace() async throws {
        let store = try TestStore(settings: .with(.group) { $0.fileLimit = 7 })
        let tree = store.tree
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<30 {
                group.addTask {
                    _ = try? await tree.upload(
                        chunks(Array("\(i)".utf8)), name: "c\(i)", to: .group("1"), by: Member(id: "1"))
                }
            }
            try await group.waitForAll()
        }
        #expect(try await tree.fileSystemInfo(of: .group("1")).fileCount == 7)
        #expect(try await tree.checkConsistency(repair: false).isClean)
    }
}

extension Array {
    func asyncFlatMap<T>(_ transform: (Element) async throws -> [T]) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out += try await transform(element) }
        return out
    }
}
