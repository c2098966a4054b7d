import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The few things Trefoil reads from S3's XML answers: the text of named elements, in document order.
///
/// An element's text is collected whatever its depth; S3's answers use each name for one thing (`Key`, `Size`,
/// `UploadId`, `Code`…).
final class S3XML: NSObject, XMLParserDelegate {
    private(set) var values: [String: [String]] = [:]
    private let wanted: Set<String>
    private var current: String?
    private var text = ""

    /// Parses `data`, keeping the text of the elements named in `wanted`; nil when it is not XML.
    static func parse(_ data: Data, keeping wanted: Set<String>) -> [String: [String]]? {
        let collector = S3XML(wanted: wanted)
        let parser = XMLParser(data: data)
        parser.delegate = collector
        parser.shouldResolveExternalEntities = false
        return parser.parse() ? collector.values : nil
    }

    private init(wanted: Set<String>) {
        self.wanted = wanted
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if wanted.contains(elementName) {
            current = elementName
            text = ""
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if current != nil { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard elementName == current else { return }
        values[elementName, default: []].append(text)
        current = nil
    }

    /// `<Tag>escaped text</Tag>`.
    static func element(_ name: String, _ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        return "<\(name)>\(escaped)</\(name)>"
    }
}
