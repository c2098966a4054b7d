import HTTPTypes
import TrefoilCore
import TrefoilFaceKit

/// `GET|HEAD /file/download/chat?file_sign=…` and `/file/download/avatar?object_name=…`: the bytes (or a derived
/// form of them) through the shared pipeline (sendfile, Range, ETag), or the face's error.
///
/// The caller proves itself with the `app_id` and `access-token` headers, or with `store_token` in the query (for
/// an `<img src>`). `image_type` 1 is the original, 2 a thumbnail (`w`/`h`), 3 a cover; `format` `amr`/`mp3` asks a
/// voice file in that format. `sdk_sign`, `source` and `thumbnail_strategy` are accepted and ignored: every form
/// is made here, whatever strategy is asked for.
struct QiniuDownloads: DownloadRoute {
    let settings: QiniuSettings
    let auth: QiniuAuth
    let signs: QiniuSigns
    let store: FileTree
    let variants: QiniuVariants

    func matches(path: Substring) -> Bool { path == QiniuPaths.downloadChat || path == QiniuPaths.downloadAvatar }

    func resolve(_ request: DownloadRequest) async -> DownloadResolution {
        let query = request.queryItems
        let caller: QiniuCaller
        if let token = query["store_token"], !token.isEmpty {
            guard let user = signs.user(fromStoreToken: token, now: store.now) else {
                return .refused(QiniuError.unauthorized("store_token is not valid or has expired").refusal)
            }
            caller = .user(user)
        } else {
            switch await auth.caller(request.headers) {
            case .success(let found): caller = found
            case .failure(let error): return .refused(error.refusal)
            }
        }
        let file: StoredFile
        switch await self.file(request.path, query: query, caller: caller) {
        case .success(let found): file = found
        case .failure(let error): return .refused(error.refusal)
        }
        let ask: QiniuVariants.Ask
        switch QiniuVariants.Ask.read(query, settings: settings) {
        case .success(let read): ask = read
        case .failure(let error): return .refused(error.refusal)
        }
        return await variants.resolve(file, ask)
    }

    /// The file the request names, if the caller may read it.
    private func file(_ path: String, query: [String: String], caller: QiniuCaller) async -> Result<
        StoredFile, QiniuError
    > {
        if path == QiniuPaths.downloadAvatar {
            guard let name = query["object_name"], !name.isEmpty else {
                return .failure(.badParam("object_name is required"))
            }
            guard let owner = signs.avatarOwner(fromObjectName: name) else {
                return .failure(.forbidden("object_name is not valid"))
            }
            guard
                let current = try? await store.files(
                    of: QiniuSpaces.avatar(owner, app: settings.appID), limit: 1, offset: 0
                ).first
            else { return .failure(.notFound("no avatar has been uploaded")) }
            return .success(current)
        }
        guard let sign = query["file_sign"], !sign.isEmpty else { return .failure(.badParam("file_sign is required")) }
        guard let id = signs.file(fromSign: sign) else { return .failure(.forbidden("file_sign is not valid")) }
        guard let file = try? await store.file(id) else {
            return .failure(.notFound("the file does not exist, has expired, or was not uploaded yet"))
        }
        guard QiniuSpaces.mayRead(file.owner, caller: caller, app: settings.appID) else {
            return .failure(.forbidden("the caller may not read this file"))
        }
        return .success(file)
    }
}
