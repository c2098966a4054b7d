import Foundation
import GRDB
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

@Suite("Crash safety")
struct CrashSafetyTests {
    @Test(
        "a crash at any step of a write leaves the visible state unchanged, and start-up leaves no temp file or orphan",
        arguments: WriteStep.allCases)
    func crashDuringWrite(step: WriteStep) async throws {
        let store = try TestStore(crashAt: step)
        // Something committed before, sharing nothing with the crashing upload.
        let healthy = try TestStore(directory: store.directory, previous: store)
        let kept = try await healthy.upload("kept", name: "kept")
        let before = try await healthy.tree.list(in: "1")
        let infoBefore = try await healthy.tree.fileSystemInfo(of: .group("1"))

        await #expect(throws: SimulatedCrash(step: step)) {
            try await store.upload("doomed bytes", name: "doomed")
        }

        // What any reader sees right after the crash: nothing changed.
        #expect(try await healthy.tree.list(in: "1") == before)
        #expect(try await healthy.tree.fileSystemInfo(of: .group("1")) == infoBefore)
        switch step {
        case .afterTempWrite: #expect(healthy.tempFiles().count == 1)
        case .afterRename, .beforeCommit: #expect(healthy.blobFiles().count == 2)  // the orphan is on disk
        }

        // The restarted process cleans up: no temp files, no orphan blobs, fsck clean.
        let restarted = try store.reopened(settings: .init())
        #expect(restarted.tempFiles().isEmpty)
        #expect(restarted.blobFiles() == [kept.digests.sha256])
        #expect(try await restarted.tree.checkConsistency(repair: false) == ConsistencyReport())
        #expect(try await restarted.tree.list(in: "1") == before)
    }

    @Test("every commit is synced to disk before it returns: the writer runs in WAL mode with synchronous = FULL")
    func commitsAreSynced() async throws {
        let store = try TestStore()
        // GRDB's pool sets NORMAL when it turns WAL on, which syncs only at checkpoints: an answered upload could
        // be lost with the power.
        let (mode, synchronous) = try await store.tree.database.writer.writeWithoutTransaction { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(mode == "wal")
        #expect(synchronous == 2)
    }

    @Test("a crash while a deduplicated upload commits never removes the shared blob")
    func crashOnSharedBlob() async throws {
        let store = try TestStore(crashAt: .beforeCommit)
        let healthy = try TestStore(directory: store.directory, previous: store)
        let kept = try await healthy.upload("shared", name: "kept")
        await #expect(throws: SimulatedCrash.self) { try await store.upload("shared", name: "again") }
        let restarted = try store.reopened(settings: .init())
        #expect(readFile(restarted.tree.blobPath(of: kept)!) == Array("shared".utf8))
        #expect(try await restarted.tree.checkConsistency(repair: false).isClean)
    }

    @Test("start-up removes planted temp files and blob files that no row references")
    func startupCleansPlantedLeftovers() async throws {
        let store = try TestStore()
        let kept = try await store.upload("kept")
        let tmp = store.directory.tmpPath + "/leftover.part"
        #expect(FileManager.default.createFile(atPath: tmp, contents: Data("x".utf8)))
        let orphan = String(repeating: "ab", count: 32)
        let orphanPath = store.tree.blobs.disk!.path(for: orphan)
        try FileManager.default.createDirectory(
            atPath: (orphanPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: orphanPath, contents: Data("orphan".utf8)))
        let report = try await store.tree.checkConsistency(repair: false)
        #expect(
            report.problems.sorted() == [
                "blob \(orphan): on disk without a row (orphan)", "temp file tmp/leftover.part left behind",
            ])

        let restarted = try store.reopened()
        #expect(restarted.tempFiles().isEmpty)
        #expect(restarted.blobFiles() == [kept.digests.sha256])
    }
}
