import Foundation
import Hummingbird
import TrefoilCore

/// The spaces other than groups: users' private files (which an admin may delete here), and apps' chat files,
/// staged uploads and avatars, read-only. They have no folders: a space is a flat list, newest first.
struct SpacePages: Sendable {
    let store: FileTree
    let pages: ConsolePages
    let frame: ConsoleFrame
    let sessions: ConsoleSessions

    static let kinds: [SpaceKind] = [.user, .app, .staging, .avatar]
    static let perPage = 50

    func list(_ request: Request, _ context: ConsoleRequestContext) async -> Response {
        let t = context.language
        let query = request.uri.queryParameters
        let kind =
            query["kind"].flatMap { SpaceKind(rawValue: String($0)) }.flatMap { Self.kinds.contains($0) ? $0 : nil }
            ?? .user
        let search = query["q"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let all: [SpaceUsage]
        do {
            all = try await store.spaces(of: kind)
        } catch {
            return failure(request, context, error)
        }
        let rows = search.isEmpty ? all : all.filter { $0.owner.id.localizedCaseInsensitiveContains(search) }
        let pager = Pager(page: query["page"].flatMap { Int($0) }, perPage: Self.perPage, total: rows.count)
        var data = frame.data(
            request, context, title: t.text("kind_\(kind.rawValue)"), section: kind == .user ? .users : .spaces)
        data["kind"] = kind.rawValue
        data["kinds"] = Self.kinds.map { other -> [String: Any] in
            [
                "kind": other.rawValue, "label": t.text("kind_\(other.rawValue)"),
                "link": ConsolePaths.spaces(other.rawValue),
                "current": other == kind,
            ]
        }
        data["explanation"] = t.text("explain_\(kind.rawValue)")
        data["query"] = search
        data["summary"] =
            search.isEmpty ? t.text("spaces_summary", all.count) : t.text("spaces_matching", rows.count, all.count)
        data["rows"] = rows[pager.range].map { space -> [String: Any] in
            [
                "id": space.owner.id, "link": ConsolePaths.space(kind.rawValue, owner: space.owner.id),
                "used": ConsoleFormat.bytes(space.usedSpace), "files": space.fileCount,
            ]
        }
        var link = ConsolePaths.spaces(kind.rawValue)
        if !search.isEmpty { link += "&q=\(ConsoleFormat.query(search))" }
        data["pager"] = pager.data(t) { "\(link)&page=\($0)" }
        return pages.page("spaces", data)
    }

    func space(_ request: Request, _ context: ConsoleRequestContext) async -> Response {
        let t = context.language
        let query = request.uri.queryParameters
        guard let kind = query["kind"].flatMap({ SpaceKind(rawValue: String($0)) }), Self.kinds.contains(kind),
            let id = query["id"].map(String.init), !id.isEmpty
        else {
            return failure(request, context, TrefoilError.fileNotFound)
        }
        let owner = Owner(kind, id)
        let page = max(1, query["page"].flatMap { Int($0) } ?? 1)
        do {
            let files = try await store.files(of: owner, limit: Self.perPage + 1, offset: (page - 1) * Self.perPage)
            let info = try await store.fileSystemInfo(of: owner)
            var data = frame.data(
                request, context, title: "\(t.text("kind_\(kind.rawValue)")): \(id)",
                section: kind == .user ? .users : .spaces)
            data["kind"] = kind.rawValue
            data["kindLabel"] = t.text("kind_\(kind.rawValue)")
            data["kindLink"] = ConsolePaths.spaces(kind.rawValue)
            data["owner"] = id
            data["usage"] = t.text("space_usage", ConsoleFormat.bytes(info.usedSpace), info.fileCount)
            data["canDelete"] = kind == .user
            data["files"] = files.prefix(Self.perPage).map { file -> [String: Any] in
                [
                    "id": file.id.rawValue, "name": file.name, "size": ConsoleFormat.bytes(file.size),
                    "uploader": GroupPages.who(file.uploaderName, file.uploader),
                    "uploaded": ConsoleFormat.time(file.uploadTime), "downloads": file.downloadTimes,
                    "expires": file.deadTime == 0 ? t.text("never") : ConsoleFormat.time(file.deadTime),
                    "download": ConsolePaths.download(file.id.rawValue),
                    "confirmText": t.text("confirm_delete", file.name),
                ]
            }
            data["pager"] = Pager.data(t, page: page, hasNext: files.count > Self.perPage) {
                ConsolePaths.space(kind.rawValue, owner: id) + "&page=\($0)"
            }
            return pages.page("space", data)
        } catch {
            return failure(request, context, error)
        }
    }

    /// `POST /console/space/delete`: a user's private file; the other kinds are read-only here.
    func delete(_ context: ConsoleRequestContext) async -> Response {
        let form = context.form
        guard form["kind"] == SpaceKind.user.rawValue, let owner = form["owner"], !owner.isEmpty, let id = form["file"]
        else { return ConsolePages.plain(.badRequest, context.language.text("bad_request")) }
        return await sessions.act(context, back: ConsolePaths.space(SpaceKind.user.rawValue, owner: owner)) {
            let file = try await store.file(FileID(id), of: .user(owner))
            try await store.deleteFile(file.id, of: .user(owner))
            return context.language.text("deleted", file.name)
        }
    }

    private func failure(_ request: Request, _ context: ConsoleRequestContext, _ error: any Error) -> Response {
        frame.failurePage(request, context, ConsoleFailure(error, language: context.language), pages: pages)
    }
}
