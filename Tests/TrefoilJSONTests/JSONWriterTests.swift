import Foundation
import Testing
import TrefoilJSON

/// Faces write large answers straight to bytes with `JSONWriter`; these pin that the bytes are exactly what
/// encoding the same value as a `JSONValue` gives (sorted keys, same escapes, same numbers).
@Suite("Direct JSON writing")
struct JSONWriterTests {
    @Test("integers are written as JSONValue writes them", arguments: [0, 1, -1, 9, 10, -10, 1_234_567, .max, .min])
    func integers(_ value: Int64) {
        var out = JSONWriter()
        out.integer(value)
        #expect(out.bytes == Array(JSONValue.int(value).encoded()))
    }

    @Test(
        "strings are escaped as JSONValue escapes them",
        arguments: ["", "plain", "a\"b\\c", "\n\r\t\u{8}\u{C}", "\u{0}\u{1}\u{1F}\u{7F}", "中文 é ✓ 😀", "</script>"])
    func strings(_ text: String) {
        var out = JSONWriter()
        out.string(text)
        #expect(out.bytes == Array(JSONValue.string(text).encoded()))
        #expect(JSONParser.parse(out.bytes) == .string(text))
    }

    @Test("objects, arrays, values and fragments nest with commas in the right places, keys in the order written")
    func nesting() {
        var inner = JSONWriter()
        inner.beginArray()
        inner.integer(1)
        inner.beginObject()
        inner.endObject()
        inner.beginArray()
        inner.endArray()
        inner.endArray()
        var out = JSONWriter()
        out.beginObject()
        out.member("a", Int64(1))
        out.key("b")
        out.beginArray()
        out.string("x")
        out.integer(-2)
        out.endArray()
        out.member("c", .fragment(JSONFragment(inner)))
        out.member("d", ["k": [nil, true, .double(1.5)]])
        out.member("e", "")
        out.endObject()
        let expected: JSONValue = [
            "a": 1, "b": ["x", -2], "c": [1, [:], []], "d": ["k": [nil, true, .double(1.5)]], "e": "",
        ]
        #expect(String(decoding: out.bytes, as: UTF8.self) == String(decoding: expected.encoded(), as: UTF8.self))
    }

    @Test("a base64 fragment is the quoted standard base64 of its bytes at every length, empty and megabytes included")
    func base64Fragments() {
        for count in [0, 1, 2, 3, 4, 5, 57, 1000, 3 << 20] {
            let data = Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
            #expect(JSONFragment(base64Of: data).bytes == Array(("\"" + data.base64EncodedString() + "\"").utf8))
        }
        #expect(JSONFragment(base64Of: Data([0xFB, 0xFF])).value == .string("+/8="))
    }
}
