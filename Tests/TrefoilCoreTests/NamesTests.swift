import Testing

@testable import TrefoilCore

/// The naming rules, on both sides of the byte check that lets plain ASCII names through untouched.
@Suite("File and folder names")
struct NamesTests {
    @Test(
        "file names: plain ASCII kept, ends trimmed, slashes, backslashes and control characters replaced",
        arguments: [
            ("report.pdf", "report.pdf"), ("a b", "a b"), ("x", "x"), (" report.pdf", "report.pdf"),
            ("report.pdf ", "report.pdf"), ("\treport\n", "_report_"), ("a/b\\c", "a_b_c"), ("a\u{7F}b", "a_b"),
            ("a\u{0}b", "a_b"), ("é.txt", "é.txt"), ("\u{A0}nbsp\u{A0}", "nbsp"),
            (#"~!@#$%^&*()_+{}|:"<>?`-=[];',."#, #"~!@#$%^&*()_+{}|:"<>?`-=[];',."#),
            (String(repeating: "a", count: 255), String(repeating: "a", count: 255)),
        ])
    func fileNames(_ raw: String, _ expected: String) throws {
        #expect(try Names.fileName(raw) == expected)
    }

    @Test("file names that are empty after trimming or longer than 255 bytes are refused")
    func refusedFileNames() {
        #expect(throws: TrefoilError.invalid(.fileName, "empty after trimming")) { try Names.fileName("  ") }
        #expect(throws: TrefoilError.invalid(.fileName, "256 bytes of UTF-8, at most 255 allowed")) {
            try Names.fileName(String(repeating: "a", count: 256))
        }
    }

    @Test("folder names: plain ASCII kept, ends trimmed, a slash or a control character refused")
    func folderNames() throws {
        #expect(try Names.folderName("docs") == "docs")
        #expect(try Names.folderName(" docs ") == "docs")
        #expect(throws: TrefoilError.invalid(.folderName, "a folder name cannot contain /")) {
            try Names.folderName("a/b")
        }
        #expect(throws: TrefoilError.invalid(.folderName, "a folder name cannot contain U+007F")) {
            try Names.folderName("a\u{7F}b")
        }
    }
}
