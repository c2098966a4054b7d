import Foundation
import Hummingbird
import NIOCore

/// The console's script and style sheet, read from the package resources once: `/console/static/console.js` and
/// `/console/static/console.css`. They are served from our own origin, so the pages' CSP needs no other source.
struct StaticFiles: Sendable {
    private let files: [String: (type: String, bytes: [UInt8])]

    init() {
        var files: [String: (type: String, bytes: [UInt8])] = [:]
        let types = ["js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"]
        for name in ["console.js", "console.css"] {
            guard
                let url = Bundle.module.url(forResource: "Resources", withExtension: nil)?
                    .appendingPathComponent("static/\(name)"),
                let data = FileManager.default.contents(atPath: url.path)
            else { continue }
            files[name] = (types[url.pathExtension] ?? "application/octet-stream", Array(data))
        }
        self.files = files
    }

    func serve(_ name: String) -> Response {
        guard let file = files[name] else { return ConsolePages.plain(.notFound, "no such file") }
        // Revalidated on each load, so an upgraded gateway's script is never mixed with an old page.
        return Response(
            status: .ok, headers: [.contentType: file.type, .cacheControl: "no-cache"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}
