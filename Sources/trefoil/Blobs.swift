import ArgumentParser
import Foundation
import TrefoilConfiguration
import TrefoilCore
import TrefoilServer

/// `trefoil blobs`: commands on the store's blobs as a whole.
struct Blobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Commands on the store's blobs as a whole.",
        subcommands: [Migrate.self])
}

extension Blobs {
    struct Migrate: AsyncParsableCommand {
        enum Backend: String, ExpressibleByArgument, CaseIterable {
            case disk, s3
        }

        static let configuration = CommandConfiguration(
            abstract: "Copy every blob to the other backend (the S3 bucket or the local folder), verifying each.",
            discussion: """
                Run it with the server stopped: it takes the data directory's lock. storage.blobs.backend names \
                where the blobs are now; --to s3 copies them to the bucket of storage.blobs.s3, --to disk into the \
                data directory's blobs/ folder. Each copy is read back from there and its size and SHA-256 checked; \
                the blobs checked are recorded in the store's database, so that a run which was interrupted skips \
                them when started again. Nothing is removed from where the blobs are now, and the config file is \
                not rewritten: once every blob is copied, the command says which setting to change. Exits 0 when \
                every blob was copied; 1 when some could not be (one line each) or the target failed on the way: a \
                new run retries them and skips the blobs already checked; 2 when it cannot start (a server runs on \
                the store, the bucket cannot be reached, the blobs are already there).
                """)

        @Option(help: ArgumentHelp("Where to copy the blobs.", valueName: "backend"))
        var to: Backend

        @Option(help: "The config file whose storage section to use; without one the defaults apply.")
        var config: String?

        func run() async throws {
            // Its problems are printed; 2, as for every reason not to start (1 asks for a run that resumes).
            guard let loaded = try? loadConfig(config) else { throw ExitCode(2) }
            let blobs = loaded.config.storage.blobs
            guard blobs.backend != to.rawValue else {
                printError(
                    "blobs migrate: the blobs are already on \(to.rawValue) (storage.blobs.backend); nothing to copy")
                throw ExitCode(2)
            }
            let directory = DataDirectory(path: loaded.config.storage.dataDir)
            let lock: DataDirectoryLock
            let source: any BlobBackend
            let target: any BlobBackend
            let tree: FileTree
            do {
                lock = try directory.lock()
                (source, target) = try await backends(blobs, directory)
                do {
                    tree = try await FileTree.open(
                        directory: directory, settings: FileTree.Settings(loaded.config), backend: source,
                        logger: quietLogger(), cleanUp: false)
                } catch {
                    await BlobBackends.close(source)
                    await BlobBackends.close(target)
                    throw error
                }
            } catch {
                printError("blobs migrate: \(Self.line(error))")
                throw ExitCode(2)
            }
            defer { withExtendedLifetime(lock) {} }
            let report: BlobMigrationReport?
            do {
                report = try await tree.migrateBlobs(to: target)
            } catch {
                printError(
                    "blobs migrate: \(Self.line(error)); the blobs verified so far are recorded: run it again to resume"
                )
                report = nil
            }
            await BlobBackends.close(source)
            await BlobBackends.close(target)
            guard let report else { throw ExitCode(1) }
            for failure in report.failures { print(failure) }
            print(
                "copied \(Self.blobs(report.copied)) to \(target.name) (\(report.copiedBytes) bytes), skipped "
                    + "\(report.skipped) verified by an earlier run")
            guard report.isComplete else {
                printError(
                    "blobs migrate: \(Self.blobs(report.failures.count)) could not be copied; keep "
                        + "storage.blobs.backend \"\(blobs.backend)\" and run it again: the blobs verified so far are "
                        + "skipped")
                throw ExitCode(1)
            }
            // The variable ConfigEnvironment reads for storage.blobs.backend.
            let file = config.map { "in \(URL(fileURLWithPath: $0).standardizedFileURL.path)" } ?? "in the config"
            print(
                "set storage.blobs.backend to \"\(target.name)\" \(file) (or TREFOIL_STORAGE_BLOBS_BACKEND="
                    + "\(target.name)) and restart; the blobs in \(place(of: source, blobs, directory)) can then be "
                    + "removed")
        }

        /// The backend the blobs are on and the one they go to, the S3 one checked for writes (one clear line).
        private func backends(_ blobs: TrefoilConfig.Blobs, _ directory: DataDirectory) async throws -> (
            source: any BlobBackend, target: any BlobBackend
        ) {
            let disk = DiskBlobs(directory: directory)
            guard to == .s3 else {
                guard let bucket = try await BlobBackends.open(blobs) else { throw CannotStart("no bucket to read") }
                return (bucket, disk)
            }
            // check-config only asks for these keys when the bucket is the backend already.
            let s3 = blobs.s3
            let missing = s3.missingKeys.map { "storage.blobs.s3.\($0)" }
            guard missing.isEmpty else {
                throw CannotStart("\(missing.joined(separator: ", ")) must be set to copy the blobs to s3")
            }
            guard let bucket = try await BlobBackends.open(TrefoilConfig.Blobs(backend: "s3", s3: s3)) else {
                throw CannotStart("no bucket to write")
            }
            return (disk, bucket)
        }

        private static func blobs(_ count: Int) -> String { count == 1 ? "1 blob" : "\(count) blobs" }

        /// The error's own words, without the store's code for it.
        private static func line(_ error: any Error) -> String {
            (error as? TrefoilError)?.message ?? "\(error)"
        }

        /// Where the blobs were, for the admin to clean up.
        private func place(of source: any BlobBackend, _ blobs: TrefoilConfig.Blobs, _ directory: DataDirectory)
            -> String
        {
            guard !(source is DiskBlobs) else { return directory.blobsPath + "/" }
            let prefix = blobs.s3.prefix.isEmpty ? "" : " under \(blobs.s3.prefix)/"
            return "bucket \"\(blobs.s3.bucket)\"\(prefix) at \(blobs.s3.endpoint)"
        }
    }
}

/// Why `blobs migrate` cannot start, in one line.
private struct CannotStart: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
