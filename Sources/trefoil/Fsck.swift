import ArgumentParser
import Logging
import TrefoilConfiguration
import TrefoilCore
import TrefoilServer

struct Fsck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check database rows against blobs against counters.",
        discussion: """
            Exits 0 when the store is consistent, 1 with one line per problem when it is not, 2 when the \
            store cannot be opened (for example while a server runs on it, or when its S3 bucket cannot be \
            reached). Every referenced blob is checked for its size (on S3: one HEAD each, and a listing of the \
            prefix for orphans); with --deep each is also read back and its SHA-256 checked. With --repair, \
            counters are recomputed, temp files, interrupted S3 writes, orphan and unreferenced blobs removed; \
            missing blobs stay reported.
            """)

    @Option(help: "The config file whose storage section to check; without one the defaults apply.")
    var config: String?

    @Flag(help: "Fix what can be fixed.")
    var repair = false

    @Flag(help: "Read every blob back and check its SHA-256 (slow: reads the whole store).")
    var deep = false

    func run() async throws {
        let loaded = try loadConfig(config)
        let directory = DataDirectory(path: loaded.config.storage.dataDir)
        let report: ConsistencyReport
        do {
            let lock = try directory.lock()
            defer { withExtendedLifetime(lock) {} }
            report = try await withStore(directory, loaded.config, cleanUp: false) { tree in
                try await tree.checkConsistency(repair: repair, deep: deep)
            }
        } catch {
            printError("fsck: \(error)")
            throw ExitCode(2)
        }
        for problem in report.problems { print(problem) }
        for repair in report.repairs { print("repaired: \(repair)") }
        if report.isClean {
            print("\(directory.root.path): clean")
            return
        }
        if repair, try await reopenedIsClean(directory, loaded.config) {
            print("\(directory.root.path): clean after repair")
            return
        }
        throw ExitCode(1)
    }

    private func reopenedIsClean(_ directory: DataDirectory, _ config: TrefoilConfig) async throws -> Bool {
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let after = try await withStore(directory, config, cleanUp: false) { tree in
            try await tree.checkConsistency(repair: false, deep: deep)
        }
        for problem in after.problems { print("still: \(problem)") }
        return after.isClean
    }
}
