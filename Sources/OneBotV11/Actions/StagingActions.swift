import OneBotSpec
import TrefoilCore
import TrefoilJSON

/// OneBot 12's `upload_file`: stages a file from a URL, a local path or base64 data. (Over HTTP, a multipart part or
/// a raw body streams in through `ActionTable.commitUpload` instead.)
struct StagingActions: ActionHandler {
    let actions = [ActionCatalog.uploadFile]

    func handle(_ action: ActionSpec, _ params: Params, _ context: ActionContext) async throws -> JSONValue {
        let sha256 = try Self.sha256(params)
        let type = try params.string(Param.sourceType)
        let source: FileSource
        switch type {
        case "url":
            source = try await FileSource.fetch(
                try params.string(Param.sourceURL), headers: try params.headers(Param.sourceHeaders), context: context)
        case "path":
            let (chunks, name) = try await context.localFiles.open(try params.string(Param.sourcePath))
            source = .local(chunks, name: name)
        case "data":
            source = .inline(Array(try params.base64(Param.sourceData)))
        default:
            throw OneBotError.unsupported("type \"\(type.prefix(40))\" is not supported: use url, path or data")
        }
        let name = try UploadActions.name(params, suggested: source.suggestedName)
        let staged = try await source.stage(into: context.tree)
        let stored = try await context.commitStaged(
            staged, name: name, sha256: sha256, ttlSeconds: context.stagedTTL)
        if let kind = source.uploadSource { _ = context.counted(stored, from: kind) }
        return stored.stagedResult
    }

    /// The `sha256` param, when given: 64 hex digits.
    static func sha256(_ params: Params) throws(OneBotError) -> String? {
        try hexDigest(params, Param.sha256, length: 64)
    }

    /// A hex digest param of `length` digits, when given.
    static func hexDigest(_ params: Params, _ spec: ParamSpec, length: Int) throws(OneBotError) -> String? {
        guard let text = try params.optionalString(spec), !text.isEmpty else { return nil }
        guard ExpectedDigests.isHex(text, length: length) else {
            throw .invalid(spec.name, "expected \(length) hex digits")
        }
        return text.lowercased()
    }
}

extension ActionTable {
    /// Stages a body the HTTP transport streamed for `upload_file` (a multipart `file` part, as Shamrock's
    /// `POST /upload_file` takes it, or a raw body).
    func commitStagedUpload(params: Params, staged: StagedUpload, suggestedName: String?) async throws -> StoredFile {
        let sha256: String?
        let name: String
        do {
            sha256 = try StagingActions.sha256(params)
            name = try UploadActions.name(params, suggested: suggestedName)
        } catch {
            context.tree.discard(staged)
            throw error
        }
        return try await context.commitStaged(staged, name: name, sha256: sha256, ttlSeconds: context.stagedTTL)
    }
}
