import CTrefoilLinux
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A command run in a process group of its own, its stdin and stdout on /dev/null and its stderr in a file, so that it
/// never waits on a pipe nobody reads and its group can be killed whole.
///
/// Started with posix_spawn: nothing of this process runs in the child between fork and exec (Swift code there is
/// unsafe in a multithreaded process), which is why bounds are set by the command itself (`prlimit`).
struct ChildProcess: Sendable {
    /// How a child ended.
    enum Ending: Equatable, Sendable {
        case exited(Int32)
        case signaled(Int32)
        /// Killed, with its process group, when it was still running at its deadline.
        case timedOut
        /// Reaped by another part of this process (a `waitpid(-1)`), which took its status.
        case lost
    }

    let processID: pid_t

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
        // A group of its own, so that a kill reaches whatever the child starts too. A server ignores SIGPIPE, and an
        // ignored signal stays ignored across exec; the child gets the defaults, so that going over the file size
        // bound ends it (SIGXFSZ) instead of leaving it to handle EFBIG.
        let defaults = [SIGPIPE, SIGXFSZ]
        let attributed = CTrefoil_spawnattr_own_group(&attributes, defaults, Int32(defaults.count))
        guard attributed == 0 else { return .failure(SpawnFailure(path: arguments[0], code: attributed)) }

        let argv = arguments.map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0)=\($1)") } + [nil]
        defer { for pointer in argv + environment { free(pointer) } }
        var processID: pid_t = 0
        let error = posix_spawn(&processID, arguments[0], &actions, &attributes, argv, environment)
        guard error == 0 else { return .failure(SpawnFailure(path: arguments[0], code: error)) }
        return .success(ChildProcess(processID: processID))
    }

    /// Blocks until the child ends or `timeout` passes, when its whole process group is killed; then reaps it.
    ///
    /// The same thread watches the clock and reaps, so the child is never signalled after its process id was freed.
    /// It polls, backing off to every 10 ms: Swift's Glibc module has no pidfd_open to wait on with a timeout, and a
    /// timer on Swift's cooperative pool would not fire while that pool is busy, when a runaway ffmpeg matters most.
    func waitUntilEnded(timeout: Duration) -> Ending {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause: UInt32 = 1_000
        var status: Int32 = 0
        while true {
            let reaped = waitpid(processID, &status, WNOHANG)
            if reaped == processID { break }
            if reaped < 0, errno != EINTR { return .lost }
            if clock.now >= deadline {
                kill(-processID, SIGKILL)
                while waitpid(processID, &status, 0) < 0 && errno == EINTR {}
                return .timedOut
            }
            usleep(pause)
            pause = min(pause * 2, 10_000)
        }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }
}

/// posix_spawn refused to start a command.
struct SpawnFailure: Error {
    var path: String
    /// posix_spawn's error number.
    var code: Int32

    var message: String { "cannot start \(path): \(String(cString: strerror(code)))" }
}
