import ArgumentParser
import Logging
import TrefoilConfiguration
import TrefoilCore

struct Fsck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check database rows against blobs against counters.",
        discussion: """
            Exits 0 when the store is consistent, 1 with one line per problem when it is not, 2 when the \
            store cannot be opened (for example while a server runs on it). With --repair, counters are \
            recomputed and temp files, orphan and unreferenced blobs removed; missing blobs stay reported.
            """)

    @Option(help: "The config file whose storage.data_dir to check; without one the defaults apply.")
    var config: String?

    @Flag(help: "Fix what can be fixed.")
    var repair = false

    func run() throws {
        let loaded = try loadConfig(config)
        let directory = DataDirectory(path: loaded.config.storage.dataDir)
        let report: ConsistencyReport
        do {
            let lock = try directory.lock()
            let tree = try FileTree.open(
                directory: directory, settings: FileTree.Settings(loaded.config), logger: quietLogger(),
                cleanUp: false)
            report = try tree.checkConsistency(repair: repair)
            withExtendedLifetime(lock) {}
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
        if repair, try reopenedIsClean(directory, loaded.config) {
            print("\(directory.root.path): clean after repair")
            return
        }
        throw ExitCode(1)
    }

    private func reopenedIsClean(_ directory: DataDirectory, _ config: TrefoilConfig) throws -> Bool {
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let tree = try FileTree.open(
            directory: directory, settings: FileTree.Settings(config), logger: quietLogger(), cleanUp: false)
        let after = try tree.checkConsistency(repair: false)
        for problem in after.problems { print("still: \(problem)") }
        return after.isClean
    }
}
