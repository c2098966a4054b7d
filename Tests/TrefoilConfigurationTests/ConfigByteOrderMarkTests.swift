import Foundation
import Testing
import TrefoilConfiguration

@Suite("Config file encoding")
struct ConfigByteOrderMarkTests {
    @Test("a config file saved with a UTF-8 byte order mark loads, and positions in it count from after the mark")
    func byteOrderMarkIsDropped() throws {
        let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let loaded = try ConfigLoader.load(
            json: Data(mark + Array(#"{"nickname": "Marked"}"#.utf8)), source: "config.json", environment: [:],
            sections: ConfigTestSupport.sections)
        #expect(loaded.config.onebot11.nickname == "Marked")
        #expect(
            throws: ConfigError(problems: [
                .init(
                    source: "config.json", key: "(file)",
                    problem: "not valid JSON: unexpected ']' (expected a quoted key) at line 1, column 2")
            ])
        ) {
            try ConfigLoader.load(
                json: Data(mark + Array("{]".utf8)), source: "config.json", environment: [:],
                sections: ConfigTestSupport.sections)
        }
    }
}
