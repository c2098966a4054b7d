import ArgumentParser
import Foundation
import Logging
import TrefoilConfiguration
import TrefoilCore
import TrefoilServer

/// Loads a config (or the defaults) with environment overrides and every face's section; prints every problem and
/// exits 1.
func loadConfig(_ path: String?) throws -> LoadedConfig {
    do {
        return try ConfigLoader.load(
            path: path, environment: ProcessInfo.processInfo.environment, sections: allFaces.map { $0.settingsType })
    } catch {
        for problem in error.problems { printError(problem.description) }
        throw ExitCode(1)
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// The server's logger; `LOG_LEVEL` (trace … critical) sets the level, `info` by default.
func makeLogger() -> Logger {
    var logger = Logger(label: "trefoil")
    logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    return logger
}

/// Offline commands only log what goes wrong.
func quietLogger() -> Logger {
    var logger = Logger(label: "trefoil")
    logger.logLevel = .warning
    return logger
}

/// Opens the store in `directory` on the blob backend `config` names (an S3 bucket is checked first), runs `body`
/// with it, and closes the backend's connections whatever happens. `cleanUp`: as `FileTree.open`'s.
func withStore<T>(
    _ directory: DataDirectory, _ config: TrefoilConfig, cleanUp: Bool = true, _ body: (FileTree) async throws -> T
) async throws -> T {
    let backend = try await BlobBackends.open(config.storage.blobs) ?? DiskBlobs(directory: directory)
    do {
        let tree = try await FileTree.open(
            directory: directory, settings: FileTree.Settings(config), backend: backend, logger: quietLogger(),
            cleanUp: cleanUp)
        let result = try await body(tree)
        await BlobBackends.close(backend)
        return result
    } catch {
        await BlobBackends.close(backend)
        throw error
    }
}
