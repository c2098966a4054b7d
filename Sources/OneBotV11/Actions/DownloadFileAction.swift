import OneBotSpec
import TrefoilCore
import TrefoilJSON

/// `download_file`: fetch a URL or decode base64 into the gateway's cache and return the path.
struct DownloadFileAction: ActionHandler {
    let actions = [ActionCatalog.downloadFile]

    func handle(_ action: ActionSpec, _ params: Params, _ context: ActionContext) async throws -> JSONValue {
        let url = try params.optionalString(Param.url).flatMap { $0.isEmpty ? nil : $0 }
        let base64 = try params.optionalString(Param.base64).flatMap { $0.isEmpty ? nil : $0 }
        let headers = try params.headers(Param.headers)
        let name = try params.optionalString(Param.downloadName).flatMap { $0.isEmpty ? nil : $0 }
        _ = try params.optionalInt(Param.threadCount)
        // Refuse a name the cache cannot hold before anything is fetched or decoded.
        if let name { _ = try DownloadCache.fileName(name) }
        let path: String
        if let url {
            let lower = url.prefix(8).lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                throw OneBotError.invalid(Param.url.name, "expected an http(s) URL")
            }
            guard let fetcher = context.fetcher else { throw OneBotError.unsupported("URL sources are not available") }
            let remote = try await fetcher.fetch(url, headers: headers)
            path = try await context.downloadCache.store(remote.bytes, name: name ?? remote.suggestedName ?? "download")
        } else if let base64 {
            let text = base64.hasPrefix("base64://") ? base64.dropFirst("base64://".count) : Substring(base64)
            let bytes = try FileSource.decodeBase64(text)
            path = try await context.downloadCache.store(OneChunk(bytes: bytes), name: name ?? "download")
        } else {
            throw OneBotError.lack("url")
        }
        return ["file": .string(path)]
    }
}
