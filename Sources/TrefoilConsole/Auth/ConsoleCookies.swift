import Foundation
import HTTPTypes
import Hummingbird

/// The console's cookies: the session (`HttpOnly`, `SameSite=Strict`, only under `/console`) and the language.
enum ConsoleCookies {
    static let session = "trefoil_console"
    static let languageMaxAge = 365 * 86_400

    static func session(_ id: String, maxAge: Int, request: Request) -> Cookie {
        cookie(session, id, maxAge: maxAge, request: request)
    }

    /// Ends the session cookie in the browser.
    static func expiredSession(request: Request) -> Cookie { cookie(session, "", maxAge: 0, request: request) }

    static func language(_ language: ConsoleLanguage, request: Request) -> Cookie {
        cookie(ConsoleLanguage.cookie, language.rawValue, maxAge: languageMaxAge, request: request)
    }

    /// Every console cookie: only under `/console`, `HttpOnly`, `SameSite=Strict`, `Secure` when the request came
    /// over HTTPS.
    private static func cookie(_ name: String, _ value: String, maxAge: Int, request: Request) -> Cookie {
        Cookie(
            name: name, value: value, maxAge: maxAge, path: ConsolePaths.home, secure: cameOverHTTPS(request),
            httpOnly: true, sameSite: .strict)
    }

    /// Whether the browser reached us over HTTPS, as far as we can tell: the listener speaks plain HTTP, so only a
    /// TLS-terminating proxy's `X-Forwarded-Proto: https` (or `Forwarded: proto=https`) says so. Then the cookies
    /// are `Secure`; a browser that talks to the port directly gets them without.
    static func cameOverHTTPS(_ request: Request) -> Bool {
        if let proto = request.headers[HTTPField.Name("X-Forwarded-Proto")!],
            proto.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
        {
            return true
        }
        if let forwarded = request.headers[HTTPField.Name("Forwarded")!]?.lowercased() {
            return forwarded.contains("proto=https")
        }
        return false
    }
}

/// The console's paths, in one place for the routes, the redirects and the pages' links.
enum ConsolePaths {
    static let home = "/console"
    static let overview = "/console/"
    static let signIn = "/console/sign-in"
    static let groups = "/console/groups"
    static let health = "/console/health"

    static func group(_ group: String, folder: String? = nil, page: Int? = nil) -> String {
        var path = "/console/group?id=\(ConsoleFormat.query(group))"
        if let folder, folder != "/" { path += "&folder=\(ConsoleFormat.query(folder))" }
        if let page, page > 1 { path += "&page=\(page)" }
        return path
    }

    static func item(_ group: String, file: String? = nil, folder: String? = nil) -> String {
        var path = "/console/item?group=\(ConsoleFormat.query(group))"
        if let file { path += "&file=\(ConsoleFormat.query(file))" }
        if let folder { path += "&folder=\(ConsoleFormat.query(folder))" }
        return path
    }

    static func spaces(_ kind: String) -> String { "/console/spaces?kind=\(kind)" }

    static func space(_ kind: String, owner: String) -> String {
        "/console/space?kind=\(kind)&id=\(ConsoleFormat.query(owner))"
    }

    /// A file's download through the console: `/console/files/<uuid>` (a file id without its leading `/`).
    static func download(_ id: String) -> String { "/console/files" + id }
}
