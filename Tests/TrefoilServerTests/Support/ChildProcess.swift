import Foundation
import Testing
import TrefoilTestSupport

/// The `trefoil` executable built beside the test bundle.
let trefoilBinary: String = {
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    // The Swift Testing runner may be the bundle itself or a tool inside it.
    while !FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("trefoil").path),
        folder.path != "/"
    {
        folder = folder.deletingLastPathComponent()
    }
    return folder.appendingPathComponent("trefoil").path
}()

/// Runs `trefoil` with `arguments` to the end, off the cooperative pool; returns exit status and standard output.
@discardableResult
func runTrefoil(_ arguments: [String], environment: [String: String] = [:]) async throws -> (
    status: Int32, output: String
) {
    try await offCooperativePool { try runTrefoilBlocking(arguments, environment: environment) }
}

private func runTrefoilBlocking(_ arguments: [String], environment: [String: String]) throws -> (
    status: Int32, output: String
) {
    let output = Pipe()
    let process = try TestChild(
        trefoilBinary, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
        standardOutput: .pipe(output), standardError: .pipe(output))
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A temp directory holding a config whose data_dir is inside it.
/// Imports "committed before the crash" as `small.txt` into group 1: what a crash test expects to find afterwards.
func importCommittedFile(_ store: TempStoreConfig, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let small = store.root + "/small.txt"
    try "committed before the crash".write(toFile: small, atomically: true, encoding: .utf8)
    let run = try await runTrefoil(["import", "--config", store.configPath, "--group", "1", small])
    #expect(run.status == 0, "\(run.output)", sourceLocation: sourceLocation)
}

/// `trefoil import` of its standard input into `group` as `name`, started; the caller writes the bytes to the
/// returned handle (and may kill the process meanwhile).
func startImportFromStdin(_ store: TempStoreConfig, group: Int, name: String) throws -> (TestChild, FileHandle) {
    signal(SIGPIPE, SIG_IGN)  // a child that dies early must fail the test, not kill the runner
    let input = Pipe()
    let process = try TestChild(
        trefoilBinary, ["import", "--config", store.configPath, "--group", String(group), "--name", name, "-"],
        standardInput: .pipe(input))
    return (process, input.fileHandleForWriting)
}

struct TempStoreConfig {
    let root: String
    let configPath: String
    var dataDir: String { root + "/data" }

    /// `storage`: more keys of the `storage` section (`"blobs": {…}`); `extra`: more sections.
    init(extra: String = "", storage: String = "") throws {
        root = makeTempDirectory(prefix: "trefoil-it")
        configPath = root + "/config.json"
        let more = storage.isEmpty ? "" : ", " + storage
        let json = #"{"storage": {"data_dir": "\#(root)/data"\#(more)}\#(extra.isEmpty ? "" : ", " + extra)}"#
        try json.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}
