import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension MediaTool {
    /// Runs ffmpeg with `arguments(source, output)` (both made absolute) within the limits, and checks what it wrote.
    /// On any failure `output` is removed.
    func run(
        source: String, output: String, _ arguments: (_ source: String, _ output: String) -> [String]
    ) async throws(MediaError) {
        guard let ffmpeg, let prlimit else { throw .toolMissing }
        let source = Self.absolute(source)
        let output = Self.absolute(output)
        // ffmpeg would wait on a FIFO for a writer (until the timeout) and fail on a directory; neither is media.
        var status = stat()
        guard stat(source, &status) == 0 else {
            throw .failed("cannot open \(source): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .failed("\(source) is not a regular file") }

        let limits = limits
        let command =
            [
                prlimit, "--as=\(limits.maxMemoryBytes)",
                // One byte more than allowed, so that a file of exactly the bound is written whole and one past it
                // is caught (SIGXFSZ, or the size check below).
                "--fsize=\(limits.maxOutputBytes + 1)", "--", ffmpeg,
            ] + arguments(source, output)
        do {
            try await slots.withSlot { () async throws(MediaError) in
                let errorOutput = try await Self.runBounded(command, source: source, limits: limits)
                try Self.checkOutput(output, limits: limits, errorOutput: errorOutput)
            }
        } catch {
            unlink(output)
            throw error
        }
    }

    /// Runs `command` (which reads `source`), waited for on a thread of its own, killed with its process group at
    /// `limits.timeout`. Returns what it wrote to stderr, when it exited with status 0.
    private static func runBounded(_ command: [String], source: String, limits: MediaLimits) async throws(MediaError)
        -> String
    {
        let errorPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "trefoil-ffmpeg-\(UUID().uuidString).log"
        ).path
        defer { unlink(errorPath) }
        let child: ChildProcess
        switch ChildProcess.spawn(command, errorPath: errorPath) {
        case .success(let started): child = started
        case .failure(let failure): throw failure.code == ENOENT ? .toolMissing : .failed(failure.message)
        }
        let ending = await onThreadOfItsOwn { child.waitUntilEnded(timeout: limits.timeout) }
        let errorOutput = lastLines(ofFileAt: errorPath)
        switch ending {
        case .timedOut:
            throw .timedOut
        case .exited(0):
            return errorOutput
        case .signaled(SIGXFSZ):
            throw tooLarge(limits)
        case .exited(let code):
            if FFmpegArguments.saysNotMedia(errorOutput, source: source) { throw .notMedia }
            // prlimit's own status when it could not start ffmpeg (EX_EXEC_ENOENT): ffmpeg went after this was made.
            if code == 127, errorOutput.hasPrefix("prlimit: failed to execute") { throw .toolMissing }
            throw .failed(errorOutput.isEmpty ? "ffmpeg exited with status \(code)" : errorOutput)
        case .signaled(let signal):
            throw .failed("ffmpeg was killed by signal \(signal)")
        case .lost:
            throw .failed("ffmpeg's exit status was taken by another part of this process")
        }
    }

    /// Fails unless ffmpeg wrote a non-empty `output` within the size bound.
    private static func checkOutput(_ output: String, limits: MediaLimits, errorOutput: String) throws(MediaError) {
        var status = stat()
        guard stat(output, &status) == 0, status.st_size > 0 else {
            throw .failed(errorOutput.isEmpty ? "ffmpeg wrote nothing" : errorOutput)
        }
        guard Int64(status.st_size) <= limits.maxOutputBytes else { throw tooLarge(limits) }
    }

    private static func tooLarge(_ limits: MediaLimits) -> MediaError {
        .failed("the output would be larger than \(limits.maxOutputBytes) bytes")
    }

    /// The last few non-empty lines of the file at `path` (at most its last 4 KiB), joined by "; ".
    private static func lastLines(ofFileAt path: String) -> String {
        guard let file = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? file.close() }
        let end = (try? file.seekToEnd()) ?? 0
        try? file.seek(toOffset: end > 4096 ? end - 4096 : 0)
        let text = String(decoding: (try? file.readToEnd()) ?? Data(), as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.filter { !$0.isEmpty }.suffix(3).joined(separator: "; ")
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

/// `job`'s result, run on a new thread: a job that blocks must not hold one of the few threads of Swift's cooperative
/// pool, which serve every upload and download. One thread per running ffmpeg, so their number is bounded with them.
func onThreadOfItsOwn<T: Sendable>(_ job: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: job()) }
        thread.name = "trefoil-media"
        thread.start()
    }
}
