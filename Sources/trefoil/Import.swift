import ArgumentParser
import Foundation
import TrefoilConfiguration
import TrefoilCore
import TrefoilServer

#if canImport(Glibc)
    import Glibc
#endif

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store a local file (or standard input) in a group, as an upload would.",
        discussion: "Run it while no server uses the same data directory.")

    @Option(help: "The config file whose store to write; without one the defaults apply.")
    var config: String?

    @Option(help: "The group that gets the file.")
    var group: Int64

    @Option(help: "The folder id inside the group.")
    var folder = "/"

    @Option(help: "The file name in the group (default: the source's name).")
    var name: String?

    @Option(help: "The uploader's user id.")
    var uploader: Int64 = 0

    @Argument(help: "The file to store, or - for standard input.")
    var source: String

    func run() async throws {
        let loaded = try loadConfig(config)
        let directory = DataDirectory(path: loaded.config.storage.dataDir)
        do {
            let lock = try directory.lock()
            defer { withExtendedLifetime(lock) {} }
            let file = try await withStore(directory, loaded.config) { tree in try await store(into: tree) }
            print("\(file.id) \(file.size) \(file.digests.sha256)")
        } catch let error as TrefoilError {
            printError("import: \(error)")
            throw ExitCode(1)
        }
    }

    private func store(into tree: FileTree) async throws -> StoredFile {
        let bytes = source == "-" ? FileChunks(descriptor: STDIN_FILENO) : try FileChunks(path: source)
        let fileName = name ?? (source == "-" ? "stdin" : (source as NSString).lastPathComponent)
        return try await tree.upload(
            bytes, name: fileName, to: .group(String(group)), folder: FolderID(folder),
            by: Member(id: String(uploader)))
    }
}
