import Foundation
import Testing
import TrefoilJSON

/// The document mode (`JSONParser.parseOrdered`), which the config loader reads files and environment values with:
/// what it keeps that frames drop, and the exact words and positions of its errors, which config problems quote.
@Suite("Document JSON parser")
struct OrderedJSONTests {
    func document(_ text: String) throws(JSONSyntaxError) -> OrderedJSON {
        try JSONParser.parseOrdered(Data(text.utf8))
    }

    func error(_ bytes: [UInt8]) -> String? {
        do {
            _ = try JSONParser.parseOrdered(Data(bytes))
            return nil
        } catch {
            return error.description
        }
    }

    @Test("members come in document order, a duplicate key included, where frames keep the first")
    func membersInOrder() throws {
        let text = #"{"b": 1, "a": {"z": true, "y": null}, "b": "again"}"#
        #expect(
            try document(text)
                == .object([
                    .init(key: "b", value: .number("1")),
                    .init(
                        key: "a",
                        value: .object([.init(key: "z", value: .bool(true)), .init(key: "y", value: .null)])),
                    .init(key: "b", value: .string("again")),
                ]))
        #expect(JSONParser.parse(Data(text.utf8)) == ["b": 1, "a": ["z": true, "y": nil]])
    }

    @Test(
        "a number keeps its exact text, at the ends of Int64, past them and past Double",
        arguments: [
            "0", "-0", "1.0", "5.0", "1e3", "-1.50E+2", "9223372036854775807", "-9223372036854775808",
            "9223372036854775808", "-9223372036854775809", "99999999999999999999", "9223372036854775807.0", "1e400",
            "-1e400", "5e-324",
        ])
    func numbersKeepTheirText(_ text: String) throws {
        #expect(try document("[\(text)]") == .array([.number(text)]))
    }

    @Test("frames read the same ends of Int64 as values: the extremes as integers, one past them as doubles")
    func framesAtTheEndsOfInt64() {
        #expect(JSONParser.parse(Data("9223372036854775807".utf8)) == .int(.max))
        #expect(JSONParser.parse(Data("-9223372036854775808".utf8)) == .int(.min))
        #expect(JSONParser.parse(Data("9223372036854775808".utf8)) == .double(0x1p63))
        // The nearest Double is -2^63 itself, and it stays a double: the text was no Int64.
        #expect(JSONParser.parse(Data("-9223372036854775809".utf8)) == .double(-0x1p63))
        // A frame holds a number as a Double at most; a document holds any number as its text.
        #expect(JSONParser.parse(Data("1e400".utf8)) == nil)
    }

    @Test("strings, escapes and literals read as frames read them")
    func scalars() throws {
        let text = #"["a\"b\\c\/\b\f\n\r\t", "\u00e9\u4e2d\ud83d\ude00", "中文 ✓", true, false, null]"#
        #expect(
            try document(text)
                == .array([
                    .string("a\"b\\c/\u{8}\u{C}\n\r\t"), .string("é中😀"), .string("中文 ✓"), .bool(true), .bool(false),
                    .null,
                ]))
    }

    /// Every way a document can be broken, with the reason and position the config loader quotes after
    /// "not valid JSON: ". These are the messages the config's own parser gave before it was replaced by this one.
    static let brokenDocuments: [(String, String)] = [
        ("{\n  \"server\": {\"port\": 5700,}\n}", "unexpected '}' (expected a quoted key) at line 2, column 27"),
        ("", "unexpected end of input (expected a value) at line 1, column 1"),
        ("   ", "unexpected end of input (expected a value) at line 1, column 4"),
        ("\t\r\n  @", "unexpected character (expected a value) at line 2, column 3"),
        (#"{"nickname": "a"} x"#, "unexpected text after the JSON value at line 1, column 19"),
        ("01", "unexpected text after the JSON value at line 1, column 2"),
        (#"{"a" 1}"#, "unexpected character (expected ':' after the key) at line 1, column 6"),
        (#"{"a""#, "unexpected end of input (expected ':' after the key) at line 1, column 5"),
        (#"{"a": 1 "b": 2}"#, #"unexpected '"' (expected ',' or '}') at line 1, column 9"#),
        ("{", "unexpected end of input (expected a quoted key) at line 1, column 2"),
        (#"{"a":"#, "unexpected end of input (expected a value) at line 1, column 6"),
        ("[", "unexpected end of input (expected a value) at line 1, column 2"),
        ("[1 2]", "unexpected character (expected ',' or ']') at line 1, column 4"),
        ("[1,]", "unexpected ']' (expected a value) at line 1, column 4"),
        ("{\"a\":1,\n\"b\":2,\n\"c\":]", "unexpected ']' (expected a value) at line 3, column 5"),
        ("-x", "unexpected character (expected a digit) at line 1, column 2"),
        ("-", "unexpected end of input (expected a digit) at line 1, column 2"),
        ("1.", "unexpected end of input (expected a digit after '.') at line 1, column 3"),
        ("1.e3", "unexpected character (expected a digit after '.') at line 1, column 3"),
        ("1e+", "unexpected end of input (expected a digit in the exponent) at line 1, column 4"),
        ("tru", "unexpected character (expected a value) at line 1, column 1"),
        ("nul", "unexpected character (expected a value) at line 1, column 1"),
        (#""abc"#, "string is never closed at line 1, column 1"),
        (#""ab\"#, "string is never closed at line 1, column 5"),
        ("\"a\nb\"", "control character in a string (write it as an escape such as \\n) at line 1, column 3"),
        (#""\x""#, "invalid escape sequence in a string at line 1, column 3"),
        (#""\u12""#, "invalid \\u escape in a string (expected four hex digits) at line 1, column 4"),
        (#""\u12G4""#, "invalid \\u escape in a string (expected four hex digits) at line 1, column 4"),
        (#""\ud800\u12""#, "invalid \\u escape in a string (expected four hex digits) at line 1, column 10"),
        (#""\ud800""#, "unpaired surrogate in a \\u escape at line 1, column 8"),
        (#""\ud800x""#, "unpaired surrogate in a \\u escape at line 1, column 8"),
        (#""\ud800\u0041""#, "unpaired surrogate in a \\u escape at line 1, column 14"),
        (#""\udc00""#, "unpaired surrogate in a \\u escape at line 1, column 8"),
        // The same after an escape, where the string is read on a slower path.
        ("\"\\n\u{1}\"", "control character in a string (write it as an escape such as \\n) at line 1, column 4"),
        (#""\nab"#, "string is never closed at line 1, column 1"),
        (#""\n\q""#, "invalid escape sequence in a string at line 1, column 5"),
        (#""é\u00e9\ud83d""#, "unpaired surrogate in a \\u escape at line 1, column 15"),
        // Columns count characters, as an editor shows them, not bytes.
        ("{\"中文\": x}", "unexpected character (expected a value) at line 1, column 8"),
        ("[\"é\", ]", "unexpected ']' (expected a value) at line 1, column 7"),
    ]

    @Test("a broken document is refused with what was expected and the line and column", arguments: brokenDocuments)
    func brokenDocument(_ text: String, _ expected: String) {
        #expect(error(Array(text.utf8)) == expected)
    }

    @Test("frames refuse every document the document mode refuses", arguments: brokenDocuments)
    func framesRefuseTheSame(_ text: String, _ expected: String) {
        #expect(JSONParser.parse(Data(text.utf8)) == nil)
    }

    @Test("documents nest 64 deep, and the 65th level is refused at its opening bracket; frames nest 512 deep")
    func nesting() throws {
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try document(deepest)
        #expect(error(Array(("[" + deepest + "]").utf8)) == "nesting deeper than 64 levels at line 1, column 65")
        let objects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(error(Array(objects.utf8)) == "nesting deeper than 64 levels at line 1, column 321")
        #expect(OrderedJSON.maxDepth == 64)
        let framesDeepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(JSONParser.parse(Data(framesDeepest.utf8)) != nil)
        #expect(JSONParser.parse(Data(("[" + framesDeepest + "]").utf8)) == nil)
    }

    @Test("bytes that are not UTF-8 are refused wherever they sit, at the first such byte")
    func invalidUTF8() {
        #expect(
            error(Array(#"{"a": ""#.utf8) + [0xFF] + Array(#""}"#.utf8))
                == "the text is not valid UTF-8 at line 1, column 8")
        // Outside a string too, where a frame sees only an unexpected character.
        #expect(error([0x5B, 0x0A, 0x31, 0x2C, 0xC3, 0x5D]) == "the text is not valid UTF-8 at line 2, column 3")
        // A surrogate encoded as UTF-8 bytes is no character.
        #expect(
            error(Array(#"[""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""]"#.utf8))
                == "the text is not valid UTF-8 at line 1, column 3")
    }

    @Test("a byte order mark is not JSON: the config loader drops it before parsing, and frames refuse it")
    func byteOrderMark() {
        let marked: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{}".utf8)
        #expect(error(marked) == "unexpected character (expected a value) at line 1, column 1")
        #expect(JSONParser.parse(marked) == nil)
    }
}
