import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mustache
import NIOCore

/// The console's Mustache templates (package resources) and how a page becomes a response.
///
/// Every page is rendered in the HTML content type, so `{{name}}` escapes `<`, `>`, `&`, `"` and `'`; no template
/// uses triple braces, so nothing a user named reaches the page as markup.
struct ConsolePages: Sendable {
    /// The templates, or why they could not be read (a damaged installation): then every page says so.
    let library: Result<MustacheLibrary, TemplateLoadError>

    struct TemplateLoadError: Error, CustomStringConvertible {
        let description: String
    }

    init(logger: Logger) {
        library = Self.load()
        if case .failure(let error) = library {
            logger.error(
                "console templates could not be read: the console answers 500", metadata: ["error": "\(error)"])
        }
    }

    /// The `.mustache` files under the bundle's `Resources/templates`, each by its name.
    static func load() -> Result<MustacheLibrary, TemplateLoadError> {
        guard
            let folder = Bundle.module.url(forResource: "Resources", withExtension: nil)?.appendingPathComponent(
                "templates")
        else { return .failure(TemplateLoadError(description: "the resource folder Resources/templates is missing")) }
        var library = MustacheLibrary()
        do {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            for name in names where name.hasSuffix(".mustache") {
                let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                try library.register(text, named: String(name.dropLast(".mustache".count)))
            }
        } catch {
            return .failure(TemplateLoadError(description: "\(folder.path): \(error)"))
        }
        return .success(library)
    }

    /// The page `template` with `data`, answered with `status`.
    func page(_ template: String, _ data: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        switch library {
        case .success(let library):
            guard let html = library.render(data, withTemplate: template) else {
                return Self.plain(.internalServerError, "console template \(template) is missing")
            }
            return Response(
                status: status, headers: [.contentType: "text/html; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
        case .failure(let error):
            return Self.plain(.internalServerError, "the console's templates could not be read: \(error)")
        }
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    /// A redirect after a form's POST, so that reloading the page that follows does not send the form again.
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
