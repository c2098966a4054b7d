import Foundation
import GRDB
import Synchronization
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

/// Blobs derived from a file's bytes (previews): made once, stored under their content address, counted and
/// collected with their source blob, and checked by fsck.
@Suite("Derived blobs", .timeLimit(.minutes(1)))
struct DerivedBlobTests {
    static let variant = "preview-170x170"

    /// A derivation that writes its source's bytes reversed, counting its runs.
    final class Reverser: Sendable {
        let runs = Atomic<Int>(0)
        /// Runs wait here until it is opened.
        let gate = Atomic<Bool>(true)
        let paths = Mutex<[(source: String, output: String)]>([])

        var make: @Sendable (String, String) async throws -> String {
            { source, output in
                self.runs.add(1, ordering: .relaxed)
                self.paths.withLock { $0.append((source, output)) }
                while !self.gate.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(5)) }
                let bytes = try #require(readFile(source))
                #expect(!FileManager.default.fileExists(atPath: output))
                #expect(FileManager.default.createFile(atPath: output, contents: Data(bytes.reversed())))
                return "image/x-reversed"
            }
        }
    }

    struct Failure: Error, Equatable {}

    final class Count: Sendable {
        let value = Atomic<Int>(0)
        func add() { value.add(1, ordering: .relaxed) }
        var now: Int { value.load(ordering: .relaxed) }
    }

    func derivedRowCount(_ store: TestStore) async throws -> Int {
        try await store.tree.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM derived_blob") ?? -1 }
    }

    @Test("concurrent callers share one run of make; the result is stored, counted, and given to later callers")
    func madeOnce() async throws {
        let store = try TestStore()
        let file = try await store.upload("the source bytes")
        let reverser = Reverser()
        reverser.gate.store(false, ordering: .releasing)
        let started = Count()
        let results = try await withThrowingTaskGroup(of: DerivedBlob.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    started.add()
                    return try await store.tree.derive(from: file, variant: Self.variant, make: reverser.make)
                }
            }
            // Every caller is on its way before the one run may finish; were runs not shared, each would start one.
            while started.now < 8 || reverser.runs.load(ordering: .relaxed) == 0 {
                try await Task.sleep(for: .milliseconds(5))
            }
            try await Task.sleep(for: .milliseconds(200))
            reverser.gate.store(true, ordering: .releasing)
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reverser.runs.load(ordering: .relaxed) == 1)
        let output = Array("the source bytes".utf8.reversed())
        let expected = DerivedBlob(sha256: sha256Hex(output), size: Int64(output.count), mediaType: "image/x-reversed")
        #expect(results == Array(repeating: expected, count: 8))
        #expect(readFile(store.tree.blobPath(of: expected)!) == output)
        #expect(try await store.tree.derived(from: file, variant: Self.variant) == expected)
        #expect(try await store.tree.derive(from: file, variant: Self.variant, make: reverser.make) == expected)
        #expect(reverser.runs.load(ordering: .relaxed) == 1)
        #expect(try await store.tree.derived(from: file, variant: "another") == nil)

        let paths = reverser.paths.withLock { $0 }
        #expect(paths.map(\.source) == [store.tree.blobPath(of: file)!])
        #expect(paths.map { ($0.output as NSString).deletingLastPathComponent } == [store.directory.tmpPath])
        #expect(store.tempFiles() == [])
        #expect(try await store.refCount(of: expected.sha256) == 1)
        #expect(try await store.refCount(of: file.digests.sha256) == 1)
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("a failed run is not kept: its callers get its error, the next caller runs make again")
    func failureNotCached() async throws {
        let store = try TestStore()
        let file = try await store.upload("source")
        let failures = Count()
        await #expect(throws: Failure.self) {
            _ = try await store.tree.derive(from: file, variant: Self.variant) { _, output in
                failures.add()
                // Half an output is left behind by the failing run: the store removes it.
                FileManager.default.createFile(atPath: output, contents: Data("half".utf8))
                throw Failure()
            }
        }
        #expect(failures.now == 1)
        #expect(try await store.tree.derived(from: file, variant: Self.variant) == nil)
        #expect(store.tempFiles() == [])
        #expect(store.blobFiles() == [file.digests.sha256])

        let reverser = Reverser()
        let made = try await store.tree.derive(from: file, variant: Self.variant, make: reverser.make)
        #expect(reverser.runs.load(ordering: .relaxed) == 1)
        #expect(made.sha256 == sha256Hex(Array("ecruos".utf8)))
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
    }

    @Test("a derived blob lives while its source bytes do: it goes from the database and the disk with the last file")
    func collectedWithItsSource() async throws {
        let store = try TestStore()
        let first = try await store.upload("shared source", name: "one", group: "1")
        let second = try await store.upload("shared source", name: "two", group: "2")
        let derived = try await store.tree.derive(from: first, variant: Self.variant, make: Reverser().make)
        // Derived from the bytes, not from one file: the other file with the same bytes has it too.
        #expect(try await store.tree.derived(from: second, variant: Self.variant) == derived)

        try await store.tree.deleteFile(first.id, of: .group("1"))
        #expect(readFile(store.tree.blobPath(of: derived)!) == Array("shared source".utf8.reversed()))
        #expect(try await store.tree.checkConsistency(repair: false).isClean)

        try await store.tree.deleteFile(second.id, of: .group("2"))
        #expect(store.blobFiles() == [])
        #expect(try await derivedRowCount(store) == 0)
        #expect(try await store.refCount(of: derived.sha256) == nil)
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
        // The lookup above was kept in memory; the collection forgot it with the row.
        #expect(try await store.tree.derived(from: second, variant: Self.variant) == nil)
    }

    @Test("expiry and the janitor's collection take a derived blob with its source")
    func collectedOnExpiry() async throws {
        let store = try TestStore(settings: .with(.app) { $0.fileDays = 7 })
        let file = try await store.tree.upload(
            chunks(Array("expiring".utf8)), name: "e", to: Owner(.app, "a"), by: Member(id: "u1"))
        let derived = try await store.tree.derive(from: file, variant: Self.variant, make: Reverser().make)
        store.clock.advance(by: 7 * 86_400)
        #expect(try await store.tree.expireFiles() == 1)
        #expect(store.blobFiles() == [])
        #expect(try await store.refCount(of: derived.sha256) == nil)
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
    }

    @Test(
        "a derived blob that is also a file's bytes stays with that file; one that is its source's own bytes holds no reference"
    )
    func sharedAndSelfDerived() async throws {
        let store = try TestStore()
        let source = try await store.upload("abc", name: "source")
        let sameAsOutput = try await store.upload("cba", name: "reversed already")
        let derived = try await store.tree.derive(from: source, variant: Self.variant, make: Reverser().make)
        #expect(derived.sha256 == sameAsOutput.digests.sha256)
        #expect(try await store.refCount(of: derived.sha256) == 2)
        try await store.tree.deleteFile(source.id, of: .group("1"))
        #expect(store.blobFiles() == [sameAsOutput.digests.sha256])
        #expect(try await store.refCount(of: derived.sha256) == 1)
        #expect(try await store.tree.checkConsistency(repair: false).isClean)

        // "a" reversed is "a": the derivation's output is its source.
        let single = try await store.upload("a", name: "single")
        let same = try await store.tree.derive(from: single, variant: Self.variant, make: Reverser().make)
        #expect(same.sha256 == single.digests.sha256)
        #expect(try await store.refCount(of: single.digests.sha256) == 1)
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
        try await store.tree.deleteFile(single.id, of: .group("1"))
        #expect(store.blobFiles() == [sameAsOutput.digests.sha256])
        #expect(try await derivedRowCount(store) == 0)
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
    }

    @Test("start-up collection takes a source whose last reference went without a collection, and its derived blob")
    func startupCollection() async throws {
        let store = try TestStore()
        let file = try await store.upload("left behind")
        let derived = try await store.tree.derive(from: file, variant: Self.variant, make: Reverser().make)
        let again = try store.reopened()
        #expect(try await again.tree.derived(from: file, variant: Self.variant) == derived)
        #expect(Set(again.blobFiles()) == [file.digests.sha256, derived.sha256])
        // As a crash right after a delete's commit leaves it: the rows are gone, the collection never ran.
        try await again.tree.database.writer.write { db in
            try db.execute(sql: "DELETE FROM file WHERE id = ?", arguments: [file.id.rawValue])
        }
        let restarted = try again.reopened()
        #expect(restarted.blobFiles() == [])
        #expect(try await derivedRowCount(restarted) == 0)
        #expect(try await restarted.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("the source's last file deleted while make runs: make still reads it, then FILE_NOT_FOUND, nothing kept")
    func sourceGoesMeanwhile() async throws {
        let store = try TestStore()
        let file = try await store.upload("short-lived source")
        let error = await trefoilError {
            _ = try await store.tree.derive(from: file, variant: Self.variant) { source, output in
                try await store.tree.deleteFile(file.id, of: .group("1"))
                let bytes = try #require(readFile(source))
                FileManager.default.createFile(atPath: output, contents: Data(bytes.reversed()))
                return "image/x-reversed"
            }
        }
        #expect(error == .fileNotFound)
        #expect(try await derivedRowCount(store) == 0)
        #expect(store.tempFiles() == [])
        // The source stayed for make to read; the next pass takes it.
        #expect(try await store.tree.collectUnreferencedBlobs() == 1)
        #expect(store.blobFiles() == [])
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    @Test("an output over max_file_bytes is FILE_TOO_LARGE, no output is INTERNAL_ERROR; nothing is kept")
    func badOutputs() async throws {
        let store = try TestStore(settings: FileTree.Settings(maxFileBytes: 100))
        let file = try await store.upload("x")
        #expect(
            await trefoilError {
                _ = try await store.tree.derive(from: file, variant: Self.variant) { _, output in
                    FileManager.default.createFile(atPath: output, contents: Data(count: 101))
                    return "image/png"
                }
            } == .fileTooLarge)
        #expect(
            await trefoilError {
                _ = try await store.tree.derive(from: file, variant: Self.variant) { _, _ in "image/png" }
            } == .internalError("the derivation of \(Self.variant) wrote no output"))
        for variant in ["", "a\0b"] {
            #expect(
                await trefoilError {
                    _ = try await store.tree.derive(from: file, variant: variant, make: Reverser().make)
                } == .internalError("a derived blob's variant must be non-empty text without NUL"))
        }
        let exact = try await store.tree.derive(from: file, variant: Self.variant) { _, output in
            FileManager.default.createFile(atPath: output, contents: Data(count: 100))
            return "image/png"
        }
        #expect(exact.size == 100)
        #expect(store.tempFiles() == [])
        #expect(Set(store.blobFiles()) == [file.digests.sha256, exact.sha256])
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
    }

    @Test("fsck reports a derived blob missing or damaged on disk; repair forgets it and it is made again")
    func fsckMissingDerived() async throws {
        let store = try TestStore()
        let file = try await store.upload("source")
        let reverser = Reverser()
        let derived = try await store.tree.derive(from: file, variant: Self.variant, make: reverser.make)
        // Read once, so that it is kept in memory: the repair below must forget it there too.
        #expect(try await store.tree.derived(from: file, variant: Self.variant) == derived)
        let source = file.digests.sha256
        try FileManager.default.removeItem(atPath: store.tree.blobPath(of: derived)!)
        let line = "derived \(Self.variant) of blob \(source): blob \(derived.sha256) missing on disk"
        #expect(try await store.tree.checkConsistency(repair: false).problems == [line])
        let repaired = try await store.tree.checkConsistency(repair: true)
        #expect(repaired.problems == [line])
        #expect(
            repaired.repairs == [
                "forgot 1 derived blobs whose bytes were missing or damaged; they are made again when asked for",
                "recomputed space, folder, blob and store counters",
                "removed 1 orphan or unreferenced blobs",
            ])
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
        #expect(try await store.tree.derived(from: file, variant: Self.variant) == nil)
        #expect(try await store.tree.derive(from: file, variant: Self.variant, make: reverser.make) == derived)
        #expect(reverser.runs.load(ordering: .relaxed) == 2)
        #expect(readFile(store.tree.blobPath(of: derived)!) == Array("ecruos".utf8))

        #expect(truncate(store.tree.blobPath(of: derived)!, 2) == 0)
        #expect(
            try await store.tree.checkConsistency(repair: false).problems == [
                "derived \(Self.variant) of blob \(source): blob \(derived.sha256) has 2 bytes on disk, 6 recorded"
            ])
        _ = try await store.tree.checkConsistency(repair: true)
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
        #expect(try await store.tree.derived(from: file, variant: Self.variant) == nil)
    }

    @Test("fsck counts a derivation as a reference: a wrong ref_count is reported and repaired to files + derivations")
    func fsckCountsDerivations() async throws {
        let store = try TestStore()
        let file = try await store.upload("source")
        let derived = try await store.tree.derive(from: file, variant: Self.variant, make: Reverser().make)
        try await store.tree.database.writer.write { db in
            try db.execute(sql: "UPDATE blob SET ref_count = 5 WHERE sha256 = ?", arguments: [derived.sha256])
        }
        #expect(
            try await store.tree.checkConsistency(repair: false).problems == [
                "blob \(derived.sha256): ref_count 5, referenced by 1"
            ])
        #expect(
            try await store.tree.checkConsistency(repair: true).repairs == [
                "recomputed space, folder, blob and store counters"
            ])
        #expect(try await store.refCount(of: derived.sha256) == 1)
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
        #expect(readFile(store.tree.blobPath(of: derived)!) == Array("ecruos".utf8))
    }
}
