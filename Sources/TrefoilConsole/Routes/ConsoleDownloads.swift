import Hummingbird
import TrefoilCore
import TrefoilFaceKit

/// `GET /console/files/<uuid>`: any stored file, for a signed-in admin, served by the shared download pipeline
/// (`sendfile`, ranges, the file's name in `Content-Disposition`, counted as a download like a bot's).
struct ConsoleDownloads: DownloadRoute {
    static let prefix = "/console/files/"

    let store: FileTree
    let sessions: ConsoleSessions

    func matches(path: Substring) -> Bool {
        // By bytes: every download's path is asked here first, and `hasPrefix` compares characters.
        path.utf8.starts(with: Self.prefix.utf8)
            && FileID.isFresh("/" + Substring(path.utf8.dropFirst(Self.prefix.utf8.count)))
    }

    func resolve(_ request: DownloadRequest) async -> DownloadResolution {
        let cookies = Cookies(from: request.headers[values: .cookie])
        guard let id = cookies[ConsoleCookies.session]?.value, sessions.session(id) != nil else {
            return .refused(Self.plain(.unauthorized, "sign in to the console first"))
        }
        do {
            return .file(try await store.file(FileID("/" + request.path.dropFirst(Self.prefix.count))))
        } catch {
            return .refused(Self.plain(.notFound, "no such file"))
        }
    }

    private static func plain(_ status: HTTPResponse.Status, _ text: String) -> DownloadRefusal {
        DownloadRefusal(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: Array((text + "\n").utf8))
    }
}
