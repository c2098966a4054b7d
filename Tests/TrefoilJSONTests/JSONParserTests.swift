import Foundation
import Testing
import TrefoilJSON

/// The hand-written frame parser replaced `JSONDecoder` over `JSONValue`; these pin that it reads
/// what that decoder read, to the same values, and refuses what is not JSON.
@Suite("Frame JSON parser")
struct JSONParserTests {
    func parsed(_ text: String) -> JSONValue? { JSONParser.parse(Data(text.utf8)) }

    func decoded(_ text: String) -> JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    @Test(
        "numbers read to the same value JSONDecoder gave",
        arguments: [
            "0", "-0", "7", "-7", "1.0", "-1.0", "5.0", "1e3", "1E3", "1e+3", "2.5e-1", "-0.0", "0.5", "1.5",
            "123456789012", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
            "-9223372036854775809", "18446744073709551616", "1e19", "3.14159", "1.7976931348623157e308",
            "5e-324", "100000000000000000000000",
        ])
    func numbersAsJSONDecoder(_ text: String) throws {
        let expected = try #require(decoded("[\(text)]"))
        #expect(parsed("[\(text)]") == expected)
    }

    @Test("the number cases JSONDecoder turned into integers and doubles, spelled out")
    func numberKinds() {
        #expect(parsed("1.0") == .int(1))
        #expect(parsed("-0") == .int(0))
        #expect(parsed("1e3") == .int(1000))
        #expect(parsed("9223372036854775807") == .int(.max))
        #expect(parsed("-9223372036854775808") == .int(.min))
        #expect(parsed("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(parsed("0.25") == .double(0.25))
    }

    @Test(
        "malformed numbers and literals are refused, as JSONDecoder refused them",
        arguments: [
            "01", "-01", "1.", ".5", "+1", "-", "1e", "1e+", "1.e3", "--1", "0x10", "1_000", "Infinity", "-Infinity",
            "NaN", "1e400", "-1e400", "tru", "nul", "True", "1 2",
        ])
    func refusedLikeJSONDecoder(_ text: String) {
        #expect(decoded("[\(text)]") == nil)
        #expect(parsed("[\(text)]") == nil)
    }

    @Test(
        "strings and escapes read as JSONDecoder read them",
        arguments: [
            #""""#, #""plain""#, #""a\"b""#, #""back\\slash""#, #""a\/b""#, #""\b\f\n\r\t""#, #""\u00e9""#,
            #""\u4e2d\u6587""#, #""\ud83d\ude00""#, #""\u0000""#, "\"中文 ✓\"", #""\uD83D\uDE00""#,
        ])
    func stringsAsJSONDecoder(_ text: String) throws {
        let expected = try #require(decoded("[\(text)]"))
        #expect(parsed("[\(text)]") == expected)
    }

    @Test(
        "broken strings are refused: lone surrogates, bad escapes, raw control characters, no closing quote",
        arguments: [#""\ud800""#, #""\udc00""#, #""\ud800x""#, #""\x""#, #""\u12""#, "\"a\nb\"", #""open"#])
    func brokenStrings(_ text: String) {
        #expect(decoded("[\(text)]") == nil)
        #expect(parsed("[\(text)]") == nil)
    }

    @Test("objects, arrays, nesting, whitespace and trailing garbage")
    func structure() {
        #expect(parsed(" { \"a\" : [ 1 , true , null , { } , [ ] ] } \n") == ["a": [1, true, nil, [:], []]])
        #expect(parsed(#"{"a":1,"a":2}"#) == decoded(#"{"a":1,"a":2}"#))
        #expect(parsed(#"{"a":1,"a":2}"#) == ["a": 1])
        for broken in [#"{"a":1,}"#, "[1,]", #"{"a"}"#, #"{a:1}"#, "[1 2]", #"{"a":1} x"#, "", "   "] {
            #expect(parsed(broken) == nil, "\(broken)")
        }
        let deep =
            String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(parsed(deep) != nil)
        let tooDeep = "[" + deep + "]"
        #expect(parsed(tooDeep) == nil)
    }

    @Test(
        "bytes that are not UTF-8 inside a string are refused, with or without escapes beside them",
        arguments: [
            [0xFF], [0x80], [0xC3], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF],
        ]
            as [[UInt8]])
    func invalidUTF8(_ bad: [UInt8]) {
        let plain = Array(#"{"name":"a"#.utf8) + bad + Array(#"b"}"#.utf8)
        let escaped = Array(#"{"name":"\n"#.utf8) + bad + Array(#"b"}"#.utf8)
        #expect(JSONParser.parse(plain) == nil)
        #expect(JSONParser.parse(escaped) == nil)
    }

    @Test("a frame's String and its bytes read to the same value")
    func stringAndBytesAgree() {
        let frames = [
            #"{"action":"get_group_files_by_folder","params":{"group_id":123456,"folder_id":"/","file_count":50},"echo":17003}"#,
            #"{"action":"upload_group_file","params":{"name":"中文 é ✓ 😀","folder":"/x\u00e9\n"},"echo":"abc"}"#,
            #" {"action" : "x", "params":{"n":-9223372036854775808,"m":9223372036854775807,"f":2.5,"e":1e3}} "#,
        ]
        for frame in frames {
            let fromString = JSONParser.parse(frame)
            #expect(fromString != nil, "\(frame)")
            #expect(fromString == parsed(frame))
            #expect(fromString == decoded(frame))
        }
        #expect(JSONParser.parse(#"{"name":"中文 é ✓ 😀"}"#)?["name"] == "中文 é ✓ 😀")
    }

    @Test("a member kept as its text writes back as it came, only at the top level, only when a number would change")
    func keptText() throws {
        let text = #"{"e": [1.0, -0, 7], "x": {"e": 1.0}, "s": 1.0}"#
        let value = try #require(JSONParser.parse(Data(text.utf8), keepingTextOf: "e"))
        #expect(String(decoding: value.encoded(), as: UTF8.self) == #"{"e":[1.0, -0, 7],"s":1,"x":{"e":1}}"#)
        guard case .fragment(let kept)? = value["e"] else {
            Issue.record("the kept member should be a fragment of its text")
            return
        }
        #expect(kept.value == [1, 0, 7])
        // Without a number that would change, the member stays a plain value.
        let plain = try #require(JSONParser.parse(Data(#"{"e": [1, "a"]}"#.utf8), keepingTextOf: "e"))
        #expect(plain == ["e": [1, "a"]])
    }

    @Test("a quote, backslash, control character or non-ASCII byte at any place in a long string is read as one")
    func longStringsAtEveryPlace() throws {
        let quote = "\""
        let filler = String(repeating: "QUJD", count: 6)  // base64-looking, 24 bytes: three words and more
        for place in 0...filler.utf8.count {
            let head = String(filler.prefix(place))
            let tail = String(filler.dropFirst(place))
            #expect(parsed(quote + head + "\\\"" + tail + quote) == .string(head + quote + tail), "quote at \(place)")
            #expect(
                parsed(quote + head + "\\\\" + tail + quote) == .string(head + "\\" + tail), "backslash at \(place)")
            #expect(parsed(quote + head + "é" + tail + quote) == .string(head + "é" + tail), "é at \(place)")
            #expect(parsed(quote + head + "\u{01}" + tail + quote) == nil, "control character at \(place)")
            #expect(parsed(quote + head + "\u{1F}" + tail + quote) == nil, "0x1F at \(place)")
            #expect(
                parsed("[" + quote + head + quote + "," + quote + tail + quote + "]") == [
                    .string(head), .string(tail),
                ],
                "two strings split at \(place)")
            if !tail.isEmpty { #expect(parsed(quote + head + quote + tail) == nil, "text after the end at \(place)") }
        }
        // Bytes that are not UTF-8 after a long ASCII run are refused, not repaired.
        let bytes = Array((quote + filler).utf8) + [0xC3, 0x28, UInt8(ascii: "\"")]
        #expect(JSONParser.parse(bytes) == nil)
    }
}
