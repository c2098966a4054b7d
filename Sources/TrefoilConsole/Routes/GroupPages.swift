import Foundation
import Hummingbird
import TrefoilCore

/// The groups' pages: the table of every group with its usage against its quota, a folder of a group, and the page
/// that renames, moves or deletes one file or folder.
struct GroupPages: Sendable {
    let store: FileTree
    let pages: ConsolePages
    let frame: ConsoleFrame

    static let groupsPerPage = 50
    static let itemsPerPage = 100

    // MARK: The table of groups

    enum Sort: String, CaseIterable {
        case id, usage, files
    }

    func list(_ request: Request, _ context: ConsoleRequestContext) async -> Response {
        let t = context.language
        let query = request.uri.queryParameters
        let search = query["q"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let sort = query["sort"].flatMap { Sort(rawValue: String($0)) } ?? .id
        let descending = query["order"] == "desc"
        let all: [SpaceUsage]
        do {
            all = try await store.spaces(of: .group)
        } catch {
            return failurePage(request, context, ConsoleFailure(error, language: t))
        }
        var rows = search.isEmpty ? all : all.filter { $0.owner.id.localizedCaseInsensitiveContains(search) }
        switch sort {
        case .id: if descending { rows.reverse() }
        case .usage: rows.sort { descending ? $0.usedSpace > $1.usedSpace : $0.usedSpace < $1.usedSpace }
        case .files: rows.sort { descending ? $0.fileCount > $1.fileCount : $0.fileCount < $1.fileCount }
        }
        let pager = Pager(page: query["page"].flatMap { Int($0) }, perPage: Self.groupsPerPage, total: rows.count)
        let limits = store.settings.group
        let link = { (sort: Sort, descending: Bool, page: Int?) -> String in
            var path = "\(ConsolePaths.groups)?sort=\(sort.rawValue)&order=\(descending ? "desc" : "asc")"
            if !search.isEmpty { path += "&q=\(ConsoleFormat.query(search))" }
            if let page, page > 1 { path += "&page=\(page)" }
            return path
        }
        let labels: [Sort: String] = [
            .id: t.text("col_group"), .usage: t.text("col_usage"), .files: t.text("col_files"),
        ]
        let columns: [[String: Any]] = Sort.allCases.map { column in
            let current = column == sort
            // A column sorts the other way when clicked again; usage and files start with the biggest.
            var data: [String: Any] = [
                "key": column.rawValue, "label": labels[column]!,
                "link": link(column, current ? !descending : column != .id, nil),
            ]
            if current {
                data["arrow"] = descending ? "▼" : "▲"
                data["ariaSort"] = descending ? "descending" : "ascending"
            }
            return data
        }
        var data = frame.data(request, context, title: t.text("groups_title"), section: .groups)
        data["query"] = search
        data["sort"] = sort.rawValue
        data["order"] = descending ? "desc" : "asc"
        data["columns"] = columns
        data["summary"] =
            search.isEmpty
            ? t.text("groups_summary", all.count) : t.text("groups_matching", rows.count, all.count)
        data["rows"] = rows[pager.range].map { space -> [String: Any] in
            [
                "id": space.owner.id, "link": ConsolePaths.group(space.owner.id),
                "used": ConsoleFormat.bytes(space.usedSpace), "quota": ConsoleFormat.bytes(limits.totalSpace),
                "usedBytes": space.usedSpace, "quotaBytes": limits.totalSpace,
                "usedPercent": ConsoleFormat.percent(space.usedSpace, of: limits.totalSpace),
                "files": space.fileCount, "fileLimit": limits.fileLimit, "fileCount": space.fileCount,
                "fileLimitCount": limits.fileLimit,
                "filesPercent": ConsoleFormat.percent(space.fileCount, of: limits.fileLimit),
            ]
        }
        data["pager"] = pager.data(t, link: { link(sort, descending, $0) })
        return pages.page("groups", data)
    }

    // MARK: A folder of a group

    func folder(_ request: Request, _ context: ConsoleRequestContext) async -> Response {
        let t = context.language
        let query = request.uri.queryParameters
        guard let group = query["id"].map(String.init), !group.isEmpty else { return notFound(request, context) }
        let folderID = FolderID(query["folder"].map(String.init) ?? "/")
        let page = max(1, query["page"].flatMap { Int($0) } ?? 1)
        let owner = Owner.group(group)
        do {
            let chain = try await ancestry(of: folderID, in: group)
            // One more than a page: whether there is a next page, without counting the folder.
            let listing = try await store.list(
                folderID, in: group, limit: Self.itemsPerPage + 1, offset: (page - 1) * Self.itemsPerPage)
            let info = try await store.fileSystemInfo(of: owner)
            let hasNext = listing.folders.count + listing.files.count > Self.itemsPerPage
            var folders = listing.folders
            var files = listing.files
            if hasNext {
                if files.isEmpty { folders.removeLast() } else { files.removeLast() }
            }
            let title = t.text("group_title", group)
            var data = frame.data(request, context, title: title, section: .groups)
            data["group"] = group
            data["folder"] = folderID.rawValue
            data["crumbs"] = crumbs(group, chain: chain, language: t, linkLast: false)
            data["usage"] = t.text(
                "group_usage", ConsoleFormat.bytes(info.usedSpace), ConsoleFormat.bytes(info.totalSpace),
                info.fileCount, info.limitCount)
            data["usedBytes"] = info.usedSpace
            data["quotaBytes"] = info.totalSpace
            data["usedPercent"] = ConsoleFormat.percent(info.usedSpace, of: info.totalSpace)
            data["biggestLink"] = "/console/group/biggest?id=\(ConsoleFormat.query(group))"
            data["uploadURL"] =
                "/console/group/upload?group=\(ConsoleFormat.query(group))&folder=\(ConsoleFormat.query(folderID.rawValue))"
            data["canCreateFolder"] = (chain.last?.depth ?? 0) + 1 <= store.settings.maxFolderDepth
            data["folders"] = folders.map { folder -> [String: Any] in
                [
                    "id": folder.id.rawValue, "name": folder.name, "files": t.text("folder_files", folder.fileCount),
                    "creator": Self.who(folder.creatorName, folder.creator),
                    "created": ConsoleFormat.time(folder.createTime), "modified": ConsoleFormat.time(folder.modifyTime),
                    "link": ConsolePaths.group(group, folder: folder.id.rawValue),
                    "manage": ConsolePaths.item(group, folder: folder.id.rawValue),
                ]
            }
            data["files"] = files.map { fileRow($0, group: group, language: t) }
            data["empty"] = folders.isEmpty && files.isEmpty && page == 1
            data["pager"] = Pager.data(
                t, page: page, hasNext: hasNext,
                link: { ConsolePaths.group(group, folder: folderID.rawValue, page: $0) })
            return pages.page("group", data)
        } catch {
            return failurePage(request, context, ConsoleFailure(error, language: t))
        }
    }

    private func fileRow(_ file: StoredFile, group: String, language t: ConsoleLanguage) -> [String: Any] {
        [
            "id": file.id.rawValue, "name": file.name, "size": ConsoleFormat.bytes(file.size), "sizeBytes": file.size,
            "uploader": Self.who(file.uploaderName, file.uploader), "uploaded": ConsoleFormat.time(file.uploadTime),
            "modified": ConsoleFormat.time(file.modifyTime), "downloads": file.downloadTimes,
            "expires": file.deadTime == 0 ? t.text("never") : ConsoleFormat.time(file.deadTime),
            "download": ConsolePaths.download(file.id.rawValue),
            "manage": ConsolePaths.item(group, file: file.id.rawValue),
        ]
    }

    // MARK: A group's biggest files

    static let biggestShown = 50

    func biggest(_ request: Request, _ context: ConsoleRequestContext) async -> Response {
        let t = context.language
        guard let group = request.uri.queryParameters["id"].map(String.init), !group.isEmpty else {
            return notFound(request, context)
        }
        do {
            let files = try await store.largestFiles(of: .group(group), limit: Self.biggestShown)
            let paths = Self.paths(of: try await store.folders(in: group))
            var data = frame.data(request, context, title: t.text("biggest_title", group), section: .groups)
            data["groupLink"] = ConsolePaths.group(group)
            data["groupName"] = t.text("group_title", group)
            data["explanation"] = t.text("biggest_explain", Self.biggestShown)
            data["files"] = files.map { file -> [String: Any] in
                var row = fileRow(file, group: group, language: t)
                row["folder"] = file.folderID.isRoot ? t.text("root_folder") : paths[file.folderID] ?? ""
                row["folderLink"] = ConsolePaths.group(group, folder: file.folderID.rawValue)
                return row
            }
            return pages.page("biggest", data)
        } catch {
            return failurePage(request, context, ConsoleFailure(error, language: t))
        }
    }

    // MARK: One file or folder

    func item(_ request: Request, _ context: ConsoleRequestContext) async -> Response {
        let t = context.language
        let query = request.uri.queryParameters
        guard let group = query["group"].map(String.init), !group.isEmpty else { return notFound(request, context) }
        do {
            var data: [String: Any]
            if let fileID = query["file"].map(String.init) {
                let file = try await store.file(FileID(fileID), of: .group(group))
                let chain = try await ancestry(of: file.folderID, in: group)
                let folders = try await store.folders(in: group)
                data = frame.data(request, context, title: file.name, section: .groups)
                data["isFile"] = true
                data["kind"] = "file"
                data["id"] = file.id.rawValue
                data["name"] = file.name
                data["size"] = ConsoleFormat.bytes(file.size)
                data["download"] = ConsolePaths.download(file.id.rawValue)
                data["crumbs"] = crumbs(group, chain: chain, language: t, linkLast: true)
                data["targets"] = moveTargets(folders, current: file.folderID, language: t)
                data["deleteWarning"] = t.text("delete_file_warning")
                data["confirmText"] = t.text("confirm_delete", file.name)
            } else if let folderID = query["folder"].map(String.init), folderID != "/" {
                let folder = try await store.folder(FolderID(folderID), in: group)
                let chain = try await ancestry(of: folder.parentID ?? .root, in: group)
                data = frame.data(request, context, title: folder.name, section: .groups)
                data["kind"] = "folder"
                data["id"] = folder.id.rawValue
                data["name"] = folder.name
                data["crumbs"] = crumbs(group, chain: chain, language: t, linkLast: true)
                data["deleteWarning"] = t.text("delete_folder_warning", folder.fileCount)
                data["confirmText"] = t.text("confirm_delete", folder.name)
            } else {
                return notFound(request, context)
            }
            data["group"] = group
            return pages.page("item", data)
        } catch {
            return failurePage(request, context, ConsoleFailure(error, language: t))
        }
    }

    /// The root and every folder, each labelled with its path, for the move form's select.
    private func moveTargets(_ folders: [Folder], current: FolderID, language t: ConsoleLanguage) -> [[String: Any]] {
        let labelled = Self.paths(of: folders).map { (id: $0.key, label: $0.value) }.sorted { $0.label < $1.label }
        return [["id": "/", "label": t.text("root_folder"), "current": current.isRoot]]
            + labelled.map { ["id": $0.id.rawValue, "label": $0.label, "current": $0.id == current] }
    }

    // MARK: Shared pieces

    /// Each folder's path from the group's root, such as `/docs/2026`.
    static func paths(of folders: [Folder]) -> [FolderID: String] {
        let byID = Dictionary(uniqueKeysWithValues: folders.map { ($0.id, $0) })
        return byID.mapValues { folder in
            var names = [folder.name]
            var parent = folder.parentID
            while let id = parent, !id.isRoot, let next = byID[id] {
                names.insert(next.name, at: 0)
                parent = next.parentID
            }
            return "/" + names.joined(separator: "/")
        }
    }

    /// The folders from the root down to `folder` (the root first); `.folderNotFound` when it is not the group's.
    func ancestry(of folder: FolderID, in group: String) async throws -> [Folder] {
        var chain: [Folder] = []
        var next: FolderID? = folder
        while let id = next, !id.isRoot, chain.count <= store.settings.maxFolderDepth {
            let found = try await store.folder(id, in: group)
            chain.insert(found, at: 0)
            next = found.parentID
        }
        return chain
    }

    private func crumbs(_ group: String, chain: [Folder], language t: ConsoleLanguage, linkLast: Bool)
        -> [[String: Any]]
    {
        var crumbs: [[String: Any]] = [["name": t.text("group_title", group), "link": ConsolePaths.group(group)]]
        crumbs += chain.map { ["name": $0.name, "link": ConsolePaths.group(group, folder: $0.id.rawValue)] }
        if !linkLast { crumbs[crumbs.count - 1]["link"] = nil }
        return crumbs
    }

    /// `name (id)`, or the id alone when the name is empty or the same.
    static func who(_ name: String, _ id: String) -> String {
        name.isEmpty || name == id ? id : "\(name) (\(id))"
    }

    func notFound(_ request: Request, _ context: ConsoleRequestContext) -> Response {
        failurePage(request, context, ConsoleFailure(status: .notFound, message: context.language.text("not_found")))
    }

    func failurePage(_ request: Request, _ context: ConsoleRequestContext, _ failure: ConsoleFailure) -> Response {
        frame.failurePage(request, context, failure, pages: pages)
    }
}
