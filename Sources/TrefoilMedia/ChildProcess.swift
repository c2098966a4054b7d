import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A command run in a process group of its own, its stdin and stdout on /dev/null and its stderr in a file, so that it
/// never waits on a pipe nobody reads and its group can be killed whole.
///
/// Started with posix_spawn: nothing of this process runs in the child between fork and exec (Swift code there is
/// unsafe in a multithreaded process), which is why bounds are set by the command itself (`prlimit`).
final class ChildProcess: Sendable {
    /// How a child ended.
    enum Ending: Equatable, Sendable {
        case exited(Int32)
        case signaled(Int32)
        /// Killed by `kill()`, whatever it was doing.
        case killed
    }

    private struct State {
        /// Set once the child has ended and before it is reaped: from then on its process id may be reused, so it is
        /// never signalled again.
        var ended = false
        var killed = false
    }

    let processID: pid_t
    private let state = Mutex(State())

    private init(processID: pid_t) { self.processID = processID }

    /// Starts `arguments` (the first is the executable's path) with the parent's environment, stderr going to
    /// `errorPath` (created, mode 600).
    static func spawn(_ arguments: [String], errorPath: String) -> Result<ChildProcess, SpawnFailure> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Opened in the child only: this process holds no descriptor of them that another child could inherit.
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        // A group of its own (its id is the child's), so that a kill reaches whatever the child starts too.
        posix_spawnattr_setpgroup(&attributes, 0)
        var nothing = sigset_t()
        sigemptyset(&nothing)
        posix_spawnattr_setsigmask(&attributes, &nothing)
        // A server ignores SIGPIPE, and an ignored signal stays ignored across exec; the child gets the defaults, so
        // that going over the file size bound ends it (SIGXFSZ) instead of leaving it to handle EFBIG.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGXFSZ] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var processID: pid_t = 0
        let error = posix_spawn(&processID, arguments[0], &actions, &attributes, argv, environ)
        guard error == 0 else { return .failure(SpawnFailure(path: arguments[0], code: error)) }
        return .success(ChildProcess(processID: processID))
    }

    /// Blocks until the child ends, then reaps it.
    func waitUntilEnded() -> Ending {
        // Waits without reaping, so that `kill()` cannot reach a process that took the id over.
        var info = siginfo_t()
        while waitid(P_PID, id_t(processID), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        let killed = state.withLock { state in
            state.ended = true
            return state.killed
        }
        var status: Int32 = 0
        while waitpid(processID, &status, 0) < 0 && errno == EINTR {}
        if killed { return .killed }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    /// Kills the child's whole process group with SIGKILL, unless the child has ended already.
    func kill() {
        state.withLock { state in
            guard !state.ended else { return }
            state.killed = true
            _ = Glibc.kill(-processID, SIGKILL)
        }
    }
}

/// posix_spawn refused to start a command.
struct SpawnFailure: Error {
    var path: String
    /// posix_spawn's error number.
    var code: Int32

    var message: String { "cannot start \(path): \(String(cString: strerror(code)))" }
}
