import Foundation
import TrefoilTestSupport

#if canImport(Glibc)
    import Glibc
#endif

// Test clips are made, and results read back, with ffmpeg and ffprobe themselves: lavfi's sources give exact,
// repeatable pictures and tones without fixture files. The tools are awaited, never waited for on a thread of Swift's
// cooperative pool: the tests run beside others that need that pool free.

/// A 1 s (or `duration`) clip of lavfi's `testsrc` pattern at 25 frames per second, H.264 in MP4 unless `codec` says
/// otherwise (`mpeg4` in AVI), with no sound.
func makeVideo(
    at path: String, width: Int = 320, height: Int = 240, duration: Double = 1, codec: String = "libx264"
) async throws {
    try await ffmpeg(
        lavfi("testsrc=size=\(width)x\(height):rate=25:duration=\(duration)")
            + ["-c:v", codec, "-pix_fmt", "yuv420p", path])
}

/// A 320 × 240 clip, black before 0.5 s and white from then on, `duration` seconds long.
func makeBlackThenWhite(at path: String, duration: Double) async throws {
    try await ffmpeg(
        lavfi("color=c=black:s=320x240:r=25:d=\(duration),format=gray,geq=lum='if(lt(T,0.5),0,255)'")
            + ["-c:v", "libx264", "-pix_fmt", "yuv420p", path])
}

/// A 1 s 440 Hz tone, mono, with `arguments` choosing the encoding (by default MP3 from the file name).
func makeTone(at path: String, _ arguments: [String] = []) async throws {
    try await ffmpeg(lavfi("sine=frequency=440:duration=1") + arguments + [path])
}

/// What ffprobe reads of a file's first stream and its container.
struct Probe {
    var codec: String
    var width: Int?
    var height: Int?
    var sampleRate: Int?
    var channels: Int?
    /// Seconds, as the container states or ffprobe estimates it.
    var duration: Double?

    init(_ path: String) async throws {
        let json = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries",
                "stream=codec_name,width,height,sample_rate,channels:format=duration", "-of", "json", path,
            ])
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let stream = (object?["streams"] as? [[String: Any]])?.first ?? [:]
        codec = stream["codec_name"] as? String ?? ""
        width = stream["width"] as? Int
        height = stream["height"] as? Int
        sampleRate = (stream["sample_rate"] as? String).flatMap { Int($0) }
        channels = stream["channels"] as? Int
        duration = ((object?["format"] as? [String: Any])?["duration"] as? String).flatMap { Double($0) }
    }
}

/// The mean brightness (0 to 255) of the image at `path`.
func meanBrightness(_ path: String) async throws -> Double {
    let raw = path + ".gray"
    try await ffmpeg(["-i", path, "-f", "rawvideo", "-pix_fmt", "gray", raw])
    let pixels = try Data(contentsOf: URL(fileURLWithPath: raw))
    return Double(pixels.reduce(0) { $0 + Int($1) }) / Double(max(pixels.count, 1))
}

/// The processes of this machine whose command line holds `text` (zombies have none, and are not counted).
func processes(withArgumentContaining text: String) -> [String] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid in
        guard let bytes = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        let line = String(decoding: bytes.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        return line.contains(text) ? "\(pid): \(line)" : nil
    }
}

struct ToolFailed: Error, CustomStringConvertible {
    var description: String
}

private func lavfi(_ graph: String) -> [String] {
    ["-f", "lavfi", "-i", graph]
}

/// Runs ffmpeg quietly, overwriting its outputs.
private func ffmpeg(_ arguments: [String]) async throws {
    try await runTool("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y"] + arguments)
}

/// Where the tools' stdout and stderr go: files, which never fill up and stall a tool as an unread pipe would.
private let toolOutputs = makeTempDirectory(prefix: "trefoil-media-tools")

/// Runs `tool` (found on PATH); returns its stdout, or throws with its stderr.
@discardableResult
private func runTool(_ tool: String, _ arguments: [String]) async throws -> String {
    let name = "\(toolOutputs)/\(UUID().uuidString)"
    let process = try TestChild(
        "/usr/bin/env", [tool] + arguments, standardOutput: .file(name + ".out"), standardError: .file(name + ".err"))
    try await offCooperativePool { process.waitUntilExit() }
    let output = try String(contentsOfFile: name + ".out", encoding: .utf8)
    guard process.terminationStatus == 0 else {
        let errors = (try? String(contentsOfFile: name + ".err", encoding: .utf8)) ?? ""
        throw ToolFailed(description: "\(tool) \(arguments): \(errors)")
    }
    return output
}
