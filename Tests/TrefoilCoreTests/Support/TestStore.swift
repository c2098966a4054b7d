import Foundation
import GRDB
import Synchronization
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

/// A store in a fresh temp directory with a clock the test moves by hand.
final class TestStore: Sendable {
    let directory: DataDirectory
    let clock: TestClock
    let settings: FileTree.Settings
    let tree: FileTree
    /// The store this one reopened: kept alive so that its clean-up cannot run under our feet.
    private let previous: TestStore?

    init(
        settings: FileTree.Settings = .init(), crashAt: WriteStep? = nil, directory: DataDirectory? = nil,
        previous: TestStore? = nil
    ) throws {
        self.directory = directory ?? DataDirectory(path: makeTempDirectory())
        self.previous = previous
        self.settings = settings
        clock = TestClock()
        let clock = self.clock
        tree = try FileTree.open(
            directory: self.directory, settings: settings, clock: { clock.now }, faults: FaultInjector(crashAt: crashAt)
        )
    }

    /// Opens the same directory again, as a restarted process would.
    func reopened(settings: FileTree.Settings? = nil) throws -> TestStore {
        try TestStore(settings: settings ?? self.settings, directory: directory, previous: self)
    }

    @discardableResult
    func upload(
        _ text: String, name: String = "a.txt", group: String = "1", folder: FolderID = .root,
        by uploader: String = "42"
    ) async throws -> StoredFile {
        try await tree.upload(
            chunks(Array(text.utf8)), name: name, to: .group(group), folder: folder,
            by: Member(id: uploader, name: "Alice"))
    }

    func blobFiles() -> [String] { tree.blobs.disk!.hashesNow() }
    func tempFiles() -> [String] { tree.blobs.tempFileNames() }

    /// A blob row's reference count; nil when the blob has no row.
    func refCount(of sha: String) async throws -> Int64? {
        try await tree.read {
            try Int64.fetchOne($0, sql: "SELECT ref_count FROM blob WHERE sha256 = ?", arguments: [sha])
        }
    }

    deinit {
        if previous == nil { try? FileManager.default.removeItem(at: directory.root) }
    }
}

extension FileTree.Settings {
    /// The default settings with one kind's limits changed.
    static func with(_ kind: SpaceKind, _ change: (inout FileTree.SpaceLimits) -> Void) -> Self {
        var settings = Self()
        change(&settings[kind])
        return settings
    }
}

/// A clock that only moves when told to.
final class TestClock: Sendable {
    private let seconds = Atomic<Int64>(1_700_000_000)
    var now: Int64 { seconds.load(ordering: .relaxed) }
    func advance(by delta: Int64) { seconds.add(delta, ordering: .relaxed) }
}

/// `bytes` as an async sequence of chunks of at most `size` bytes.
func chunks(_ bytes: [UInt8], size: Int = 7) -> AsyncStream<[UInt8]> {
    AsyncStream { continuation in
        var start = 0
        while start < bytes.count {
            let end = min(start + size, bytes.count)
            continuation.yield(Array(bytes[start..<end]))
            start = end
        }
        continuation.finish()
    }
}

/// Runs `body` and returns the `TrefoilError` it threw, failing the test when it threw nothing else.
func trefoilError(_ body: () async throws -> Void) async -> TrefoilError? {
    do {
        try await body()
        Issue.record("expected a TrefoilError, got success")
        return nil
    } catch let error as TrefoilError {
        return error
    } catch {
        Issue.record("expected a TrefoilError, got \(error)")
        return nil
    }
}
