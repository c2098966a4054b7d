import Foundation
import TrefoilCore
import TrefoilFaceKit

/// OneBot 11's download links, `GET|HEAD /files/<uuid>[/<name>]?expires=…&sig=…` (docs/onebot11.md §3.5): the
/// signature is the credential, so no access token is asked for.
struct SignedLinkRoute: DownloadRoute {
    let tree: FileTree
    let signer: LinkSigner

    /// The file id in a download path, or nil when the path is not a download's.
    static func fileID(inPath path: Substring) -> FileID? {
        guard path.hasPrefix("/files/") else { return nil }
        let segments = path.dropFirst("/files/".count).split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 1 || segments.count == 2, let id = segments.first, !id.isEmpty else { return nil }
        return FileID("/" + id)
    }

    func matches(path: Substring) -> Bool { Self.fileID(inPath: path) != nil }

    private enum Verdict {
        case valid(FileID)
        case refused(DownloadRefusal)
    }

    /// The file a link names once its signature checks out, or the refusal.
    private func verified(_ request: DownloadRequest) -> Verdict {
        guard let id = Self.fileID(inPath: Substring(request.path)) else {
            return .refused(.plainText(.notFound, "not a download link"))
        }
        let query = request.queryItems
        let now = Int64(Date().timeIntervalSince1970)
        guard let expires = query["expires"].flatMap(Int64.init), let signature = query["sig"],
            signer.isValid(signature: signature, .download, subject: id.rawValue, expires: expires, now: now)
        else {
            return .refused(
                .plainText(.forbidden, "this link is forged or has expired; ask for a new one with get_group_file_url"))
        }
        return .valid(id)
    }

    /// A valid link to a file read since the last write: answered on the event loop, no read of the store.
    func resolveNow(_ request: DownloadRequest) -> DownloadResolution? {
        switch verified(request) {
        case .refused(let refusal): .refused(refusal)
        case .valid(let id): tree.cachedFile(id).map { .file($0) }
        }
    }

    func resolve(_ request: DownloadRequest) async -> DownloadResolution {
        let id: FileID
        switch verified(request) {
        case .refused(let refusal): return .refused(refusal)
        case .valid(let verified): id = verified
        }
        do {
            return .file(try await tree.file(id))
        } catch TrefoilError.fileNotFound {
            return .refused(.plainText(.notFound, "this file has been deleted"))
        } catch {
            return .refused(.plainText(.internalServerError, "the file could not be looked up"))
        }
    }
}
