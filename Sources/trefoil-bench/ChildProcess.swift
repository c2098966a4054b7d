import Foundation

/// What a finished command printed and how it ended.
struct CommandResult: Sendable {
    let status: Int32
    let output: String
    let errorOutput: String
    /// Wall time from launch to exit.
    let elapsed: Duration
}

/// A failure that stops a scenario (or the whole run), with the reason a person needs.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum ChildProcess {
    /// The full path of a program, searched in PATH and the sbin folders (nginx lives in /usr/sbin).
    static func find(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/local/sbin"]
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a program to its end off the Swift concurrency pool (the waits block a thread).
    ///
    /// `environment` is added to the bench's own, or is the whole environment when `inherit` is false.
    /// `input`, when given, is called on its own thread with the write end of the child's standard
    /// input, which is closed after it returns.
    static func run(
        _ program: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        inherit: Bool = true,
        input: (@Sendable (Int32) -> Void)? = nil
    ) async throws -> CommandResult {
        guard let executable = find(program) else { throw BenchError("\(program) is not installed") }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        try runBlocking(
                            executable, arguments, environment: environment, inherit: inherit, input: input)
                    })
            }
        }
    }

    private static func runBlocking(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String],
        inherit: Bool,
        input: (@Sendable (Int32) -> Void)?
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !inherit {
            process.environment = environment
        } else if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let stdin = input.map { _ in Pipe() }
        if let stdin { process.standardInput = stdin }
        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        let feeding = DispatchGroup()
        if let stdin, let input {
            let writer = stdin.fileHandleForWriting
            DispatchQueue.global().async(group: feeding) {
                input(writer.fileDescriptor)
                try? writer.close()
            }
            try? stdin.fileHandleForReading.close()
        }
        // Drain stderr on another thread so that neither pipe can fill up and stall the child.
        let errorData = ErrorBox()
        DispatchQueue.global().async(group: feeding) {
            errorData.set(errors.fileHandleForReading.readDataToEndOfFile())
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let elapsed = clock.now - start
        feeding.wait()
        return CommandResult(
            status: process.terminationStatus,
            output: String(decoding: data, as: UTF8.self),
            errorOutput: String(decoding: errorData.get(), as: UTF8.self),
            elapsed: elapsed)
    }

    /// Runs a program and throws unless it exits 0.
    @discardableResult
    static func check(
        _ program: String, _ arguments: [String], environment: [String: String] = [:], inherit: Bool = true
    ) async throws -> CommandResult {
        let result = try await run(program, arguments, environment: environment, inherit: inherit)
        guard result.status == 0 else {
            throw BenchError(
                "\(program) \(arguments.joined(separator: " ")) exited \(result.status): "
                    + result.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return result
    }
}

/// Bytes handed from one thread to another.
private final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}

/// A program that runs in the background (the server, nginx) with its output in a log file.
final class BackgroundProcess: @unchecked Sendable {
    let process = Process()
    let logPath: String

    init(_ program: String, _ arguments: [String], logPath: String, environment: [String: String] = [:]) throws {
        guard let executable = ChildProcess.find(program) else { throw BenchError("\(program) is not installed") }
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw BenchError("cannot write \(logPath)") }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// The last lines of the log, for error messages.
    func logTail(lines: Int = 15) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// SIGTERM, then SIGKILL when it has not exited within `grace`.
    func stop(grace: Duration = .seconds(15)) async {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while process.isRunning, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(pid, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }
}
