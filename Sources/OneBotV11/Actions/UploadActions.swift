import OneBotSpec
import TrefoilCore
import TrefoilJSON
import TrefoilMetrics

/// `upload_group_file` and `upload_private_file`, with the content named by `file` or, from the HTTP
/// transport, already staged from a multipart part or a raw body.
struct UploadActions: ActionHandler {
    let actions = [ActionCatalog.uploadGroupFile, ActionCatalog.uploadPrivateFile]

    /// Who gets the file and where, from the action's params.
    static func target(_ action: ActionSpec, _ params: Params) throws(OneBotError) -> (Owner, FolderID) {
        if action == ActionCatalog.uploadGroupFile {
            let folder = try params.optionalString(Param.uploadFolder).flatMap { $0.isEmpty ? nil : $0 } ?? "/"
            return (.group(try params.int64(Param.groupID)), FolderID(folder))
        }
        return (.user(try params.int64(Param.userID)), .root)
    }

    static func explicitName(_ params: Params) throws(OneBotError) -> String? {
        try params.optionalString(Param.uploadName).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The name to store: the `name` param, else the source's own; `lack of [name]` when there is neither.
    static func name(_ params: Params, suggested: String?) throws(OneBotError) -> String {
        guard let name = try explicitName(params) ?? suggested else { throw .lack(Param.uploadName.name) }
        return name
    }

    static func result(_ stored: StoredFile, _ action: ActionSpec, _ context: ActionContext) -> JSONValue {
        stored.uploadResult(
            url: context.downloadURL(for: stored), includeFolder: action == ActionCatalog.uploadGroupFile)
    }

    func handle(_ action: ActionSpec, _ params: Params, _ context: ActionContext) async throws -> JSONValue {
        let (owner, folder) = try Self.target(action, params)
        let file = try params.string(Param.file)
        let explicitName = try Self.explicitName(params)
        // Refuse a missing folder or a full group before fetching or reading anything. Inline bytes are in the request
        // already: for them the commit's own checks (the same ones) decide, without a read of the store first.
        if !FileSource.isInline(file) { try await context.tree.precheck(owner: owner, folder: folder) }
        let source = try await FileSource.open(file, context: context)
        guard let name = explicitName ?? source.suggestedName else { throw OneBotError.lack(Param.uploadName.name) }
        let stored = try await source.upload(
            into: context.tree, name: name, owner: owner, folder: folder, by: context.member)
        if let kind = source.uploadSource { _ = context.counted(stored, from: kind) }
        return Self.result(stored, action, context)
    }
}

extension ActionTable {
    /// Whether `action` is an upload whose content an HTTP body may carry directly.
    public func isUpload(_ action: String) -> Bool {
        guard case .direct(let spec, _) = route(action) else { return false }
        return spec == ActionCatalog.uploadGroupFile || spec == ActionCatalog.uploadPrivateFile
            || spec == ActionCatalog.uploadFile
    }

    /// Whether `action`'s params may carry file bytes (base64), so that an HTTP body is bounded like a WebSocket
    /// message rather than like the params of an ordinary action.
    public func carriesFileBytes(_ action: String) -> Bool {
        guard let route = route(action) else { return false }
        let spec: ActionSpec
        switch route {
        case .direct(let s, _), .background(let s, _), .queued(let s, _): spec = s
        }
        return [
            ActionCatalog.uploadGroupFile, ActionCatalog.uploadPrivateFile, ActionCatalog.uploadFile,
            ActionCatalog.uploadFileFragmented, ActionCatalog.uploadFileStream, ActionCatalog.uploadFileToShamrock,
        ].contains(spec)
    }

    /// Whether `action` answers with NapCat's stream envelopes (possibly several).
    public func isStreamed(_ action: String) -> Bool {
        guard case .direct(let spec, _) = route(action) else { return false }
        return spec.streamed
    }

    /// Checks an upload's params and target before its body is read; nil when it may go ahead.
    public func precheckUpload(_ action: String, params: Params) async -> ActionResponse? {
        guard case .direct(let spec, _) = route(action) else { return .failed(.apiNotFound(action), echo: nil) }
        // A staged file goes to the bot's own staging space: nothing to look up first.
        if spec == ActionCatalog.uploadFile { return nil }
        do {
            let (owner, folder) = try UploadActions.target(spec, params)
            try await context.tree.precheck(owner: owner, folder: folder)
            return nil
        } catch {
            return .failed(OneBotError(error, action: spec.name), echo: nil)
        }
    }

    /// Commits content the transport staged from the body (`source`: a multipart part or a raw body), with the
    /// action's params; the `name` param wins over `suggestedName` (the multipart file name).
    public func commitUpload(
        _ action: String, params: Params, staged: StagedUpload, suggestedName: String?, source: UploadSource
    ) async -> ActionResponse {
        guard case .direct(let spec, _) = route(action) else {
            context.tree.discard(staged)
            return .failed(.apiNotFound(action), echo: nil)
        }
        if spec == ActionCatalog.uploadFile {
            do {
                let stored = try await commitStagedUpload(params: params, staged: staged, suggestedName: suggestedName)
                return .ok(context.counted(stored, from: source).stagedResult, echo: nil)
            } catch {
                return .failed(OneBotError(error, action: spec.name), echo: nil)
            }
        }
        do {
            let (owner, folder) = try UploadActions.target(spec, params)
            let name = try UploadActions.name(params, suggested: suggestedName)
            let stored = try await context.tree.commit(
                staged, name: name, to: owner, folder: folder, by: context.member)
            return .ok(UploadActions.result(context.counted(stored, from: source), spec, context), echo: nil)
        } catch {
            context.tree.discard(staged)
            return .failed(OneBotError(error, action: spec.name), echo: nil)
        }
    }
}
