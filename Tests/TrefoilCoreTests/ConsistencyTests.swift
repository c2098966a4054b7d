import Foundation
import GRDB
import Testing

@testable import TrefoilCore

@Suite("fsck")
struct ConsistencyTests {
    @Test("a store built by normal operations is clean")
    func cleanStore() async throws {
        let store = try TestStore()
        let folder = try await store.tree.createFolder(named: "f", in: "1", by: Member(id: "1"))
        try await store.upload("a", folder: folder.id)
        try await store.upload("a", name: "dup")
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("wrong counters are reported line by line and repaired")
    func brokenCounters() async throws {
        let store = try TestStore()
        let file = try await store.upload("abc")
        try await store.tree.database.writer.write { db in
            try db.execute(sql: "UPDATE space SET used_space = 99, file_count = 5")
            try db.execute(sql: "UPDATE blob SET ref_count = 3")
        }
        let report = try await store.tree.checkConsistency(repair: false)
        #expect(
            report.problems == [
                "group 1: counters say 5 files / 99 bytes, rows say 1 / 3",
                "blob \(file.digests.sha256): ref_count 3, referenced by 1",
            ])
        let repaired = try await store.tree.checkConsistency(repair: true)
        #expect(repaired.repairs == ["recomputed space, folder, blob and store counters"])
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
        #expect(try await store.tree.fileSystemInfo(of: .group("1")).usedSpace == 3)
    }

    @Test("a wrong total of the bytes files use is reported and repaired")
    func brokenStoreTotals() async throws {
        let store = try TestStore()
        try await store.upload("abc")
        try await store.upload("abc", name: "dup")
        try await store.tree.database.writer.write { db in
            try db.execute(sql: "UPDATE store_totals SET file_blob_bytes = 40")
        }
        #expect(
            try await store.tree.checkConsistency(repair: false).problems == [
                "store totals: 40 bytes of blobs in use by files recorded, 3 in the rows"
            ])
        _ = try await store.tree.checkConsistency(repair: true)
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
        #expect(try await store.tree.statistics().dedupSavedBytes == 3)
    }

    @Test("a wrong folder counter is reported with its folder and space, and repaired")
    func brokenFolderCounter() async throws {
        let store = try TestStore()
        let folder = try await store.tree.createFolder(named: "f", in: "1", by: Member(id: "1"))
        try await store.upload("abc", folder: folder.id)
        try await store.tree.database.writer.write { db in
            try db.execute(sql: "UPDATE folder SET file_count = 4 WHERE id = ?", arguments: [folder.id.rawValue])
        }
        #expect(
            try await store.tree.checkConsistency(repair: false).problems == [
                "folder \(folder.id) of space 1: counts 4 files, holds 1"
            ])
        #expect(
            try await store.tree.checkConsistency(repair: true).repairs == [
                "recomputed space, folder, blob and store counters"
            ])
        #expect(try await store.tree.folder(folder.id, in: "1").fileCount == 1)
    }

    @Test("a missing blob is reported and not hidden by repair")
    func missingBlob() async throws {
        let store = try TestStore()
        let file = try await store.upload("gone")
        try FileManager.default.removeItem(atPath: store.tree.blobPath(of: file)!)
        let line = "blob \(file.digests.sha256): missing on disk (referenced by 1 files)"
        #expect(try await store.tree.checkConsistency(repair: false).problems == [line])
        #expect(try await store.tree.checkConsistency(repair: true).problems == [line])
        #expect(try await store.tree.checkConsistency(repair: false).problems == [line])
    }

    @Test("repair removes orphan blobs and temp files")
    func repairOrphans() async throws {
        let store = try TestStore()
        try await store.upload("x")
        #expect(FileManager.default.createFile(atPath: store.directory.tmpPath + "/t.part", contents: nil))
        let orphan = String(repeating: "cd", count: 32)
        let path = store.tree.blobs.disk!.path(for: orphan)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(try await store.tree.checkConsistency(repair: false).problems.count == 2)
        let report = try await store.tree.checkConsistency(repair: true)
        #expect(report.repairs.contains("removed 1 temp files"))
        #expect(report.repairs.contains("removed 1 orphan or unreferenced blobs"))
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
    }
}
