import Foundation
import Testing
import TrefoilTestSupport

extension ConsoleTests {
    /// The console's templates are package resources beside the binary; a binary copied without them still serves.
    @Suite("Console: resources")
    struct ConsoleResourcesTests {
        /// One GET over a fresh connection; the whole answer, head and body.
        func get(_ path: String, port: Int) async throws -> String {
            try await offCooperativePool { try loopbackGet(path, port: port) }
        }

        @Test("a binary copied without its resource bundle serves the bots and answers console pages 500 saying why")
        func missingBundle() async throws {
            let folder = makeTempDirectory(prefix: "trefoil-bare")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try FileManager.default.copyItem(atPath: trefoilBinary, toPath: folder + "/trefoil")
            let server = try await ServeProcess.start(binary: folder + "/trefoil")
            defer {
                server.terminate()
                server.store.remove()
            }
            let page = try await get("/console/sign-in", port: server.port)
            #expect(page.hasPrefix("HTTP/1.1 500"), "\(page.prefix(300))")
            #expect(page.contains("trefoil_TrefoilConsole.resources is not beside the trefoil binary"))
            #expect(try await get("/get_status", port: server.port).hasPrefix("HTTP/1.1 200"))
            #expect(server.log.contains("console templates could not be read"))
            _ = try await server.waitForExit(within: .seconds(1))
        }

        @Test("the built binary finds its templates, script and style sheet")
        func bundleBesideBinary() async throws {
            let server = try await ServeProcess.start()
            defer {
                server.terminate()
                server.store.remove()
            }
            #expect(try await get("/console/sign-in", port: server.port).hasPrefix("HTTP/1.1 200"))
            let script = try await get("/console/static/console.js", port: server.port)
            #expect(script.hasPrefix("HTTP/1.1 200"))
            #expect(script.contains("#upload-input"))
        }
    }
}
