import Testing
import TrefoilConfiguration
import TrefoilTestSupport

/// Starts a server (`configure`d), uploads `size` pseudo-random bytes (`seed`) to group 9 as `name` and runs `body` with
/// the server, the bytes and the download link's path and query; the server is stopped and its files removed whether
/// `body` throws or not.
func withUploadedFile(
    _ size: Int, seed: UInt64, name: String = "d.txt", configure: (inout TrefoilConfig) -> Void = { _ in },
    _ body: (LiveServer, [UInt8], String) async throws -> Void
) async throws {
    let server = try await LiveServer.start(configure: configure)
    do {
        let bytes = pseudoRandomBytes(size, seed: seed)
        let data = try await HTTPCaller(server: server).ok(
            "upload_group_file", ["group_id": 9, "file": .string(base64(bytes)), "name": .string(name)])
        guard let url = data["url"]?.stringValue else {
            throw LiveServerError(description: "upload_group_file answered no url: \(data)")
        }
        try await body(server, bytes, String(url.dropFirst(server.base.count)))
    } catch {
        await server.stop()
        server.removeFiles()
        throw error
    }
    await server.stop()
    server.removeFiles()
}
