import CTrefoilLinux
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process of a test, started with `posix_spawn`.
///
/// Written by hand instead of Foundation's `Process`: on Linux, `Process.run` lists /proc/self/fd to find the
/// descriptors to close in the child, and copies each entry's whole 256-byte `d_name` out of the directory buffer.
/// When the test process holds more than about 1,360 descriptors (live servers and their clients in parallel suites)
/// that buffer is full, and the copy of its last entry can read past the end of the mapped heap: the test process
/// died with SIGSEGV in `memcpy` inside `Process.run` three times in CI dry runs, even with starts serialized. Here
/// the child closes every inherited descriptor from 3 up itself (`posix_spawn_file_actions_addclosefrom_np`), and
/// nothing of this process runs between fork and exec.
public final class TestChild: Sendable {
    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        case null
        /// A file, created (mode 600) or truncated.
        case file(String)
        /// The child's end of a pipe: the read end for standard input, the write end for the others. This process
        /// closes its copy once the child runs.
        case pipe(Pipe)
        /// An open file of this process's (stdout and stderr to one log share its offset); the caller closes it.
        case handle(FileHandle)

        func plan(_ target: Int32, _ actions: inout posix_spawn_file_actions_t) {
            let input = target == STDIN_FILENO
            switch self {
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", input ? O_RDONLY : O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            case .pipe(let pipe):
                let end = input ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                posix_spawn_file_actions_adddup2(&actions, end.fileDescriptor, target)
            case .handle(let handle):
                posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, target)
            }
        }

        func closeChildEnd(input: Bool) {
            guard case .pipe(let pipe) = self else { return }
            try? (input ? pipe.fileHandleForReading : pipe.fileHandleForWriting).close()
        }
    }

    public let processIdentifier: pid_t
    /// The raw wait status once the child has been reaped.
    private let status = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments`, in `environment` (this process's when nil) and `directory`.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        standardInput: Stream = .null, standardOutput: Stream = .null, standardError: Stream = .null
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        standardInput.plan(STDIN_FILENO, &actions)
        standardOutput.plan(STDOUT_FILENO, &actions)
        standardError.plan(STDERR_FILENO, &actions)
        if let directory {
            let moving = CTrefoil_spawn_addchdir(&actions, directory)
            guard moving == 0 else { throw SpawnError(path: executable, code: moving) }
        }
        // The child keeps nothing of this process's but its three streams (a test's client sockets included).
        let closing = CTrefoil_spawn_addclosefrom(&actions, 3)
        guard closing == 0 else { throw SpawnError(path: executable, code: closing) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A group of its own, as Foundation's Process gives; no blocked signals, and the default action for those
        // a test runner ignores (SIGPIPE), so that SIGTERM stops a server child and a broken pipe ends a tool.
        let defaults = [SIGPIPE, SIGTERM, SIGINT]
        let attributed = CTrefoil_spawnattr_own_group(&attributes, defaults, Int32(defaults.count))
        guard attributed == 0 else { throw SpawnError(path: executable, code: attributed) }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let pairs = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0)=\($1)") } + [nil]
        defer { for pointer in argv + pairs { free(pointer) } }
        var processID: pid_t = 0
        let error = posix_spawn(&processID, executable, &actions, &attributes, argv, pairs)
        standardInput.closeChildEnd(input: true)
        standardOutput.closeChildEnd(input: false)
        standardError.closeChildEnd(input: false)
        guard error == 0 else { throw SpawnError(path: executable, code: error) }
        processIdentifier = processID
    }

    /// Whether the child has not exited yet (reaping it if it has).
    public var isRunning: Bool {
        status.withLock { status in
            guard status == nil else { return false }
            var raw: Int32 = 0
            guard waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier else { return true }
            status = raw
            return false
        }
    }

    /// Blocks until the child has exited. Call it off the cooperative pool.
    public func waitUntilExit() {
        while status.withLock({ $0 }) == nil {
            var raw: Int32 = 0
            let reaped = waitpid(processIdentifier, &raw, 0)
            if reaped == processIdentifier {
                status.withLock { $0 = raw }
            } else if reaped == -1, errno != EINTR {
                // Reaped by `isRunning` on another thread, which records the status under the lock.
                usleep(1_000)
            }
        }
    }

    /// Sends `signal` to the child, unless it has been reaped (its id may belong to another process by then).
    public func send(_ signal: Int32) {
        status.withLock { status in
            if status == nil { _ = kill(processIdentifier, signal) }
        }
    }

    /// SIGTERM.
    public func terminate() { send(SIGTERM) }

    /// The exit status, or the number of the signal that ended the child; only once it has exited.
    public var terminationStatus: Int32 {
        let raw = status.withLock { $0 } ?? 0
        return Self.signaled(raw) ? raw & 0x7f : (raw >> 8) & 0xff
    }

    /// Whether a signal ended the child; only once it has exited.
    public var wasSignaled: Bool { Self.signaled(status.withLock { $0 } ?? 0) }

    private static func signaled(_ raw: Int32) -> Bool { raw & 0x7f != 0 && raw & 0x7f != 0x7f }
}

/// A child that could not be started.
public struct SpawnError: Error, CustomStringConvertible {
    public let path: String
    public let code: Int32
    public var description: String { "cannot start \(path): \(String(cString: strerror(code)))" }
}
