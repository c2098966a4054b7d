import Foundation
import GRDB
import Testing

@testable import TrefoilCore

/// The consistency check the console runs while the store serves: fsck's checks, read-only, twice.
@Suite("fsck while serving")
struct LiveConsistencyTests {
    @Test("a clean store under normal operations is clean, and temp files are notes, not problems")
    func cleanWithTempFile() async throws {
        let store = try TestStore()
        let folder = try await store.tree.createFolder(named: "f", in: "1", by: Member(id: "1"))
        try await store.upload("a", folder: folder.id)
        #expect(try await store.tree.checkConsistencyWhileServing(settle: .zero) == ConsistencyReport())
        #expect(FileManager.default.createFile(atPath: store.directory.tmpPath + "/t.part", contents: nil))
        let report = try await store.tree.checkConsistencyWhileServing(settle: .zero)
        #expect(report.isClean)
        #expect(
            report.notes == [
                "1 temp files in tmp/: uploads under way, or left by a crash (removed at the next start)"
            ])
    }

    @Test("damage that stays is reported as fsck reports it, and nothing is repaired")
    func damageReported() async throws {
        let store = try TestStore()
        let file = try await store.upload("gone")
        try await store.tree.database.writer.write { db in
            try db.execute(sql: "UPDATE space SET used_space = 99")
        }
        try FileManager.default.removeItem(atPath: store.tree.blobPath(of: file)!)
        let expected = [
            "group 1: counters say 1 files / 99 bytes, rows say 1 / 4",
            "blob \(file.digests.sha256): missing on disk (referenced by 1 files)",
        ]
        #expect(try await store.tree.checkConsistencyWhileServing(settle: .milliseconds(10)).problems == expected)
        #expect(try await store.tree.checkConsistency(repair: false).problems == expected)
        #expect(try await store.tree.checkConsistencyWhileServing(settle: .zero).repairs.isEmpty)
        #expect(try await store.tree.checkConsistency(repair: false).problems == expected)
    }

    @Test("what the first pass saw and the second did not (a write that finished between them) is not reported")
    func transientStateIgnored() async throws {
        let store = try TestStore()
        try await store.upload("x")
        // A blob on disk without a row: what an upload looks like between placing its blob and committing its row.
        let orphan = String(repeating: "ab", count: 32)
        let path = store.tree.blobs.disk!.path(for: orphan)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let removal = Task {
            try await Task.sleep(for: .milliseconds(300))
            try FileManager.default.removeItem(atPath: path)
        }
        let report = try await store.tree.checkConsistencyWhileServing(settle: .seconds(2))
        try await removal.value
        #expect(report.isClean, "\(report.problems)")
    }
}
