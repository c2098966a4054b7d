import Hummingbird
import Synchronization
import TrefoilCore
import TrefoilFaceKit
import TrefoilJSON
import TrefoilMetrics

/// `POST /file/upload/put` (a `multipart/form-data` form: the ticket's `oss_body_param` fields, then the `file` part,
/// as Aliyun OSS PostObject takes it) and `PUT /file/upload/put?key=&policy=&signature=` (the raw body): the upload a
/// ticket allows. The ticket is the credential: no `access-token` is needed, as none is at the object store.
///
/// A forged, expired or used ticket is refused before a byte of the file is staged (a form's fields come before its
/// file part); a file over the ticket's size stops at the limit with 413. Nothing is kept after a refusal. The
/// ticket's id becomes the file's id and is recorded as used in the transaction that stores the file, so a ticket
/// stores one file however many uploads race with it.
struct UploadRoute: Sendable {
    let settings: QiniuSettings
    let context: FaceContext
    let tickets: TicketRoutes

    func post(_ request: Request) async -> Response {
        guard let type = request.headers[.contentType].map(ContentType.init), type.isMultipartForm else {
            return QiniuError.unsupportedMediaType("the upload is a multipart/form-data form").response
        }
        let store = context.store
        let signer = context.signer
        let app = settings.appID
        let now = store.now
        let admitted = TicketBox()
        let form: MultipartUpload
        do throws(UploadError) {
            form = try await context.uploads.receiveMultipart(
                request, fileField: "file", unnamedFile: true,
                admitFile: { fields in
                    let ticket = try await Self.admit(
                        policy: fields["policy"], signature: fields["signature"] ?? fields["Signature"], app: app,
                        signer: signer, store: store, now: now)
                    admitted.set(ticket)
                    return ticket.maxBytes
                })
        } catch {
            return Self.failure(error, limit: admitted.ticket?.maxBytes).response
        }
        guard let file = form.file, let ticket = admitted.ticket else {
            if let file = form.file { store.discard(file.staged) }
            return QiniuError.badParam("the form has no file part").response
        }
        return await commit(file.staged, name: file.fileName, ticket: ticket, source: .multipart)
    }

    func put(_ request: Request) async -> Response {
        let query = FormEncoding.decode(Substring(request.uri.query ?? "")) ?? [:]
        let ticket: UploadTicket
        do {
            ticket = try await Self.admit(
                policy: query["policy"], signature: query["signature"], app: settings.appID, signer: context.signer,
                store: context.store, now: context.store.now)
        } catch let error as QiniuError {
            return error.response
        } catch {
            return QiniuError.serverError("the ticket could not be checked").response
        }
        let upload: RawUpload
        do throws(UploadError) {
            upload = try await context.uploads.receiveRaw(request, maxBytes: ticket.maxBytes)
        } catch {
            return Self.failure(error, limit: ticket.maxBytes).response
        }
        return await commit(upload.staged, name: upload.suggestedName, ticket: ticket, source: .raw)
    }

    private func commit(_ staged: StagedUpload, name: String?, ticket: UploadTicket, source: UploadSource) async
        -> Response
    {
        let owner = QiniuSpaces.owner(of: ticket.target, sender: ticket.sender, app: ticket.app)
        let avatar: Bool
        let fallbackName: String
        switch ticket.target {
        case .chat(let type, _, _):
            avatar = false
            fallbackName = type.defaultName
        case .userAvatar, .groupAvatar:
            avatar = true
            fallbackName = "avatar"
        }
        do {
            let stored = try await context.store.commit(
                staged, name: name ?? fallbackName, to: owner, by: Member(id: String(ticket.sender)),
                id: FileID("/" + ticket.id), replacing: avatar,
                ticket: TicketUse(id: ticket.id, expires: ticket.expires))
            TransferMetrics(face: QiniuFace.name, factory: context.metrics).stored(source, bytes: stored.size)
        } catch TrefoilError.ticketUsed {
            return QiniuError.ticketUsed.response
        } catch {
            return Self.commitFailure(error).response
        }
        return QiniuReply.success(["download_url": .string(tickets.downloadURL(for: ticket))])
    }

    /// The ticket `policy` and `signature` stand for, if it may still be used.
    static func admit(
        policy: String?, signature: String?, app: String, signer: LinkSigner, store: FileTree, now: Int64
    ) async throws -> UploadTicket {
        switch UploadTicket.read(policy: policy, signature: signature, app: app, signer: signer, now: now) {
        case .failure(.missing): throw QiniuError.forbidden("the upload carries no ticket (policy and signature)")
        case .failure(.forged): throw QiniuError.forbidden("the upload ticket's signature does not match its policy")
        case .failure(.expired): throw QiniuError.forbidden("the upload ticket has expired")
        case .success(let ticket):
            if try await store.isTicketUsed(ticket.id) { throw QiniuError.ticketUsed }
            return ticket
        }
    }

    static func failure(_ error: UploadError, limit: Int64?) -> QiniuError {
        switch error {
        case .fileRefused(let reason as QiniuError): reason
        case .fileRefused: .serverError("the ticket could not be checked")
        case .fileTooLarge(let limit): .tooLarge(limit)
        case .bodyTooLarge: .tooLarge(limit ?? 0)
        case .missingBoundary: .badParam("the multipart/form-data Content-Type has no boundary")
        case .malformedMultipart(let reason): .badParam("the multipart body is malformed: \(reason)")
        case .twoFileParts: .badParam("the form has more than one file part")
        case .stagingFailed(let cause):
            (cause as? TrefoilError) == .fileTooLarge
                ? .tooLarge(limit ?? 0) : .serverError("the file could not be stored")
        }
    }

    static func commitFailure(_ error: any Error) -> QiniuError {
        switch error as? TrefoilError {
        case .quotaExceeded?: .forbidden("the space's storage quota would be exceeded")
        case .fileCountLimit?: .forbidden("the space's file count limit is reached")
        case .fileTooLarge?: .tooLarge(0)
        case .invalid(_, let reason)?: .badParam(reason)
        default: .serverError("the file could not be stored")
        }
    }
}

/// The ticket the form's fields carried, set once by the admission check.
final class TicketBox: Sendable {
    private let value = Mutex<UploadTicket?>(nil)
    var ticket: UploadTicket? { value.withLock { $0 } }
    func set(_ ticket: UploadTicket) { value.withLock { $0 = ticket } }
}
