/// Which slice of a long table a page shows, and its previous/next links.
struct Pager {
    let page: Int
    let pages: Int
    let range: Range<Int>

    init(page: Int?, perPage: Int, total: Int) {
        pages = max(1, (total + perPage - 1) / perPage)
        self.page = min(max(1, page ?? 1), pages)
        range = min(total, (self.page - 1) * perPage)..<min(total, self.page * perPage)
    }

    /// The pager of a table whose length is known; nil when it fits on one page.
    func data(_ language: ConsoleLanguage, link: (Int) -> String) -> [String: Any]? {
        guard pages > 1 else { return nil }
        return Self.links(language.text("page_position", page, pages), page: page, hasNext: page < pages, link: link)
    }

    /// The pager of a listing read a page at a time, whose length is not counted: it knows only whether a next page
    /// exists.
    static func data(_ language: ConsoleLanguage, page: Int, hasNext: Bool, link: (Int) -> String) -> [String: Any]? {
        guard page > 1 || hasNext else { return nil }
        return links("\(page)", page: page, hasNext: hasNext, link: link)
    }

    /// A link is left out, not empty, where there is none: a Mustache section shows for any text, even "".
    private static func links(_ position: String, page: Int, hasNext: Bool, link: (Int) -> String) -> [String: Any] {
        var data: [String: Any] = ["position": position]
        if page > 1 { data["previous"] = link(page - 1) }
        if hasNext { data["next"] = link(page + 1) }
        return data
    }
}
