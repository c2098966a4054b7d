import Foundation
import TrefoilCore
import TrefoilFaceKit

/// OneBot 11's download links, `GET|HEAD /files/<uuid>[/<name>]?expires=…&sig=…` (docs/onebot11.md §3.5): the
/// signature is the credential, so no access token is asked for.
struct SignedLinkRoute: DownloadRoute {
    let tree: FileTree
    let signer: LinkSigner
    /// Links verified before, so that a link asked for again skips the HMAC.
    let verifiedLinks = VerifiedLinks()

    /// The file id in a download path, or nil when the path is not a download's: `/files/<id>` or
    /// `/files/<id>/<anything without a slash>`.
    static func fileID(inPath path: Substring) -> FileID? {
        idText(inPath: path).map { FileID("/" + $0) }
    }

    /// The id's text in a download path. Scanned once by byte: splitting the path into segments was 6% of a small
    /// download's time (it ran for `matches` and again for the check).
    private static func idText(inPath path: Substring) -> Substring? {
        guard path.utf8.starts(with: "/files/".utf8) else { return nil }
        let rest = path.utf8.dropFirst("/files/".utf8.count)
        let slash = UInt8(ascii: "/")
        guard let end = rest.firstIndex(of: slash) else { return rest.isEmpty ? nil : Substring(rest) }
        guard end != rest.startIndex, !rest[rest.index(after: end)...].contains(slash) else { return nil }
        return Substring(rest[..<end])
    }

    func matches(path: Substring) -> Bool { Self.idText(inPath: path) != nil }

    private enum Verdict {
        case valid(FileID)
        case refused(DownloadRefusal)
    }

    /// The file a link names once its signature checks out, or the refusal.
    private func verified(_ request: DownloadRequest) -> Verdict {
        let now = Int64(Date().timeIntervalSince1970)
        if let id = verifiedLinks.file(path: request.path, query: request.query, now: now) { return .valid(id) }
        guard let id = Self.fileID(inPath: Substring(request.path)) else {
            return .refused(.plainText(.notFound, "not a download link"))
        }
        let query = request.queryItems
        guard let expires = query["expires"].flatMap(Int64.init), let signature = query["sig"],
            signer.isValid(signature: signature, .download, subject: id.rawValue, expires: expires, now: now)
        else {
            return .refused(
                .plainText(.forbidden, "this link is forged or has expired; ask for a new one with get_group_file_url"))
        }
        verifiedLinks.remember(path: request.path, query: request.query, id: id, expires: expires)
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
