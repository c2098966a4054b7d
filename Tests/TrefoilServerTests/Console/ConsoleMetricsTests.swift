import Foundation
import Testing
import TrefoilTestSupport

extension ConsoleTests {
    /// The console is a face like the others in `/metrics`: its uploads and downloads count under `console`.
    @Suite("Console: metrics")
    struct ConsoleMetricsTests {
        @Test("a console upload counts as a raw upload of face console, its download as a console download")
        func consoleTransfersCounted() async throws {
            let server = try await ConsoleClient.start()
            let client = try await ConsoleClient.signIn(server)
            let bytes = pseudoRandomBytes(1234)
            let answer = try await client.upload(group: "77", name: "counted.bin", bytes: bytes)
            #expect(answer.status == .ok, "\(answer.text)")
            let id = try #require(answer.text.split(separator: "\"").first { $0.hasPrefix("/") })
            let download = try await client.get("/console/files\(id)")
            #expect(download.bytes == bytes)
            let metrics = try await server.scrape()
            #expect(metrics["trefoil_uploads_total", ["face": "console", "source": "raw"]] == 1, "\(metrics)")
            #expect(metrics["trefoil_upload_bytes_total", ["face": "console", "source": "raw"]] == 1234)
            #expect(metrics.sum("trefoil_uploads_total", ["face": "onebot11"]) == 0)
            #expect(metrics["trefoil_downloads_total", ["face": "console", "kind": "file"]] == 1)
            #expect(metrics["trefoil_download_bytes_total", ["face": "console", "kind": "file"]] == 1234)
        }
    }
}
