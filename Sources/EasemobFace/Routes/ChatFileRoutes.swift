import Hummingbird
import TrefoilCore
import TrefoilFaceKit
import TrefoilJSON
import TrefoilMetrics

/// `POST …/chatfiles`: a message attachment, kept in the app's space for its retention (`spaces.app.file_days`,
/// 7 days by default, as the service keeps them) → `entities: [{uuid, type: "chatfile", share-secret}]`.
struct ChatFileRoutes: Sendable {
    let app: EasemobApp
    let settings: EasemobSettings
    let context: FaceContext

    func upload(_ request: Request) async -> Response {
        let call = EasemobCall(app: app, request: request)
        let form: FileForm
        switch await FileForm.receive(
            request, uploads: context.uploads, maxBytes: settings.chatFileMaxBytes, defaultBox: settings.defaultBox)
        {
        case .success(let received): form = received
        case .failure(let error): return call.failure(error)
        }
        let stored: StoredFile
        do {
            stored = try await context.store.commit(
                form.staged, name: form.name, to: app.space, by: EasemobApp.admin,
                options: FileOptions(secretRequired: form.restrictAccess, previewBox: form.previewBox))
        } catch {
            return call.failure(.commitFailed(error))
        }
        TransferMetrics(face: EasemobFace.name, factory: context.metrics).stored(.multipart, bytes: stored.size)
        let entity: JSONValue = [
            "uuid": .string(EasemobIDs.wire(stored.id)),
            "type": "chatfile",
            "share-secret": .string(context.signer.accessSecret(for: stored.id)),
        ]
        return call.success(entities: [entity])
    }
}

extension EasemobSettings {
    /// The thumbnail box of an upload that asked for none.
    var defaultBox: PreviewBox { PreviewBox(width: thumbnailWidth, height: thumbnailHeight) }
}
