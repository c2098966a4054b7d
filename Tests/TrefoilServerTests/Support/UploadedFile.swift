import Foundation
import Testing
import TrefoilConfiguration
import TrefoilCore
import TrefoilTestSupport

/// Starts a server (`configure`d), stores `size` pseudo-random bytes (`seed`) in group 9 as `name` and runs `body` with
/// the server, the bytes and a signed download link's path and query; the server is stopped and its files removed
/// whether `body` throws or not.
///
/// The file goes into the store in the process and the link is signed with the server's key, so that no connection
/// but the test's own reaches the server: with a short `server.idle_timeout_ms`, an HTTP upload on a crowded machine
/// could find its connection closed before its request went out.
func withUploadedFile(
    _ size: Int, seed: UInt64, name: String = "d.txt", configure: (inout TrefoilConfig) -> Void = { _ in },
    _ body: (LiveServer, [UInt8], String) async throws -> Void
) async throws {
    let server = try await LiveServer.start(configure: configure)
    do {
        let bytes = pseudoRandomBytes(size, seed: seed)
        let file = try await server.gateway.tree.upload(
            AsyncStream {
                $0.yield(bytes)
                $0.finish()
            }, name: name, to: .group("9"), by: Member(id: "10000"))
        let expires = Int64(Date().timeIntervalSince1970) + 3_600
        let signature = server.gateway.signer.signature(.download, subject: file.id.rawValue, expires: expires)
        try await body(server, bytes, "/files\(file.id.rawValue)?expires=\(expires)&sig=\(signature)")
    } catch {
        await server.stop()
        server.removeFiles()
        throw error
    }
    await server.stop()
    server.removeFiles()
}
