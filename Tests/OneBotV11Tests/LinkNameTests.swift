import Foundation
import Testing

@testable import OneBotV11

/// A download link ends with the file's name, percent-encoded by bytes; it must be exactly what Foundation's
/// encoding with the path characters less `/?#;` gives, which links made before relied on.
@Suite("File names in links")
struct LinkNameTests {
    static let allowed = CharacterSet.urlPathAllowed.subtracting(["/", "?", "#", ";"])

    @Test("every ASCII character, alone and between letters, is kept or encoded as Foundation encodes it")
    func everyASCIICharacter() {
        for value in 0..<128 {
            let text = String(Character(Unicode.Scalar(UInt8(value))))
            for name in [text, "a" + text + "b"] where name != "." {
                #expect(
                    ActionContext.nameSegment(name) == "/" + name.addingPercentEncoding(
                        withAllowedCharacters: Self.allowed)!,
                    "U+\(String(value, radix: 16))")
            }
        }
    }

    @Test("names beyond ASCII are encoded by their UTF-8 bytes, as Foundation encodes them")
    func unicodeNames() {
        for name in ["报告 2026.pdf", "é", "😀.png", "a\u{0}b", "100%.txt", "a?b#c;d/e", "\u{FEFF}bom"] {
            #expect(
                ActionContext.nameSegment(name) == "/" + name.addingPercentEncoding(
                    withAllowedCharacters: Self.allowed)!)
        }
    }

    @Test("the names . and .. are left out of the link")
    func dotNames() {
        #expect(ActionContext.nameSegment(".") == "")
        #expect(ActionContext.nameSegment("..") == "")
        #expect(ActionContext.nameSegment("...") == "/...")
    }
}
