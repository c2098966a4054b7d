import Foundation
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

@Suite("Store statistics and the maintenance log")
struct StoreStatisticsTests {
    @Test("figures count spaces per kind, files, their bytes, blobs and what dedup saved")
    func figures() async throws {
        let store = try TestStore()
        try await store.upload("same bytes", name: "a", group: "1")
        try await store.upload("same bytes", name: "b", group: "2")
        try await store.upload("other", name: "c", group: "2")
        try await store.tree.upload(
            chunks(Array("mine".utf8)), name: "p", to: .user("7"), folder: .root, by: Member(id: "7", name: "U"))
        let figures = try await store.tree.statistics()
        #expect(figures.spaces == [.group: 2, .user: 1])
        #expect(figures.files == 4)
        #expect(figures.fileBytes == 10 + 10 + 5 + 4)
        #expect(figures.blobs == 3)
        #expect(figures.blobBytes == 10 + 5 + 4)
        #expect(figures.dedupSavedBytes == 10)
        #expect(figures.tempFiles == 0)
        #expect(figures.diskTotalBytes > 0 && figures.diskFreeBytes > 0)
        #expect(figures.diskFreeBytes <= figures.diskTotalBytes)
    }

    @Test("what dedup saves follows deletes: a blob counts once while any file uses it, and not after")
    func dedupAfterDeletes() async throws {
        let store = try TestStore()
        let first = try await store.upload("twelve bytes", name: "a", group: "1")
        let second = try await store.upload("twelve bytes", name: "b", group: "2")
        let third = try await store.upload("twelve bytes", name: "c", group: "2")
        #expect(try await store.tree.statistics().dedupSavedBytes == 24)
        try await store.tree.deleteFile(second.id, of: .group("2"))
        #expect(try await store.tree.statistics().dedupSavedBytes == 12)
        try await store.tree.deleteFile(first.id, of: .group("1"))
        #expect(try await store.tree.statistics().dedupSavedBytes == 0)
        try await store.tree.deleteFile(third.id, of: .group("2"))
        let figures = try await store.tree.statistics()
        #expect(figures.dedupSavedBytes == 0 && figures.fileBytes == 0)
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
    }

    @Test("temp files under data_dir/tmp are counted with their bytes")
    func tempFiles() async throws {
        let store = try TestStore()
        try Data(count: 1234).write(to: URL(fileURLWithPath: store.directory.tmpPath + "/left.part"))
        let figures = try await store.tree.statistics()
        #expect(figures.tempFiles == 1)
        #expect(figures.tempBytes == 1234)
    }

    @Test("the start-up clean-up is logged with the temp files it removed and the blobs it collected")
    func startupRun() async throws {
        let store = try TestStore()
        try Data(count: 10).write(to: URL(fileURLWithPath: store.directory.tmpPath + "/crash.part"))
        let reopened = try store.reopened()
        let run = try #require(reopened.tree.maintenance.recent.first)
        #expect(run.kind == .startup)
        #expect(run.removedTempFiles == 1)
        #expect(run.error == nil)
        #expect(reopened.tree.maintenance.totals.runs == [.startup: 1])
    }

    @Test("a janitor pass is logged with the expired files it removed; totals add up across passes")
    func janitorRuns() async throws {
        let store = try TestStore(settings: .with(.app) { $0.fileDays = 1 })
        try await store.tree.upload(
            chunks(Array("short-lived".utf8)), name: "s", to: Owner(.app, "acme#chat"),
            by: Member(id: "u1", name: "Alice"))
        let janitor = JanitorService(tree: store.tree)
        #expect(await janitor.pass())
        store.clock.advance(by: 86_400)
        #expect(await janitor.pass())
        let runs = store.tree.maintenance.recent
        #expect(runs.prefix(2).map(\.kind) == [.janitor, .janitor])
        #expect(runs.first?.expiredFiles == 1)
        #expect(runs.dropFirst().first?.expiredFiles == 0)
        #expect(store.blobFiles() == [])
        let totals = store.tree.maintenance.totals
        #expect(totals.runs[.janitor] == 2)
        #expect(totals.expiredFiles == 1)
        #expect(totals.failures == 0)
    }

    @Test("the log keeps the last 50 runs, newest first")
    func keepsRecent() {
        let log = MaintenanceLog()
        for second in 0..<60 { log.record(.init(kind: .janitor, startedAt: Int64(second), durationSeconds: 0)) }
        #expect(log.recent.count == MaintenanceLog.kept)
        #expect(log.recent.first?.startedAt == 59)
        #expect(log.recent.last?.startedAt == 10)
        #expect(log.totals.runs[.janitor] == 60)
    }
}
