import Foundation
import Testing
import TrefoilJSON

@testable import OneBotV11
@testable import TrefoilCore

/// Listings and envelopes are written straight to bytes; these pin that the bytes are exactly what
/// encoding the same value as a `JSONValue` gives (sorted keys, same escapes, same numbers).
@Suite("File objects, listings and envelopes written directly")
struct JSONShapeTests {
    let file = StoredFile(
        id: FileID("f-1"), owner: .group(123_456), folderID: FolderID("/d"), name: "a\"b\\c\n\t中文 ✓.txt",
        size: 9_876_543_210, lifetime: .temporary, uploadTime: 1_700_000_000, deadTime: 1_700_086_400,
        modifyTime: 1_700_000_005, downloadTimes: 0, uploader: "-7", uploaderName: "Bot \u{1}",
        digests: Digests(sha256: String(repeating: "a", count: 64), md5: "m", sha1: "s", sha3: ""))

    @Test("a File object has the sixteen fields, in sorted order, escaped as JSONValue escapes them")
    func fileObject() throws {
        var out = JSONWriter()
        file.writeFileObject(into: &out)
        let value = try #require(JSONParser.parse(out.bytes))
        #expect(out.bytes == Array(value.encoded()))
        #expect(
            value == [
                "group_id": 123_456, "file_id": "f-1", "file_name": "a\"b\\c\n\t中文 ✓.txt", "busid": 104,
                "file_size": 9_876_543_210, "upload_time": 1_700_000_000, "dead_time": 1_700_086_400,
                "modify_time": 1_700_000_005, "download_times": 0, "uploader": -7, "uploader_name": "Bot \u{1}",
                "md5": "m", "sha": "s", "sha3": "", "folder_id": "/d",
                "sha256": .string(String(repeating: "a", count: 64)),
            ])
    }

    @Test("a listing fragment holds files then folders and reads back as the same value")
    func listing() throws {
        let folder = Folder(
            id: FolderID("/d"), owner: .group(1), parentID: nil, name: "d", depth: 1, createTime: 5, modifyTime: 6,
            creator: "7", creatorName: "x", fileCount: 2)
        for listing in [
            FolderListing(folders: [], files: []), FolderListing(folders: [folder], files: [file, file]),
            FolderListing(folders: [folder, folder], files: []),
        ] {
            guard case .fragment(let fragment) = listing.listingObject else {
                Issue.record("a listing should be a fragment")
                continue
            }
            #expect(fragment.bytes == Array(fragment.value.encoded()))
            #expect(fragment.value["files"] == .array(Array(repeating: fileValue(), count: listing.files.count)))
            #expect(fragment.value["folders"] == .array(listing.folders.map(\.folderObject)))
        }
    }

    @Test("an envelope is written with sorted keys, with and without echo, msg and fragments")
    func envelopes() throws {
        let listing = FolderListing(folders: [], files: [file]).listingObject
        let cases: [(ActionResponse, JSONValue)] = [
            (
                .ok(["a": 1], echo: nil),
                ["data": ["a": 1], "message": "", "retcode": 0, "status": "ok", "wording": ""]
            ),
            (
                .ok(.null, echo: ["nested": [1, "two", nil]]),
                [
                    "data": nil, "echo": ["nested": [1, "two", nil]], "message": "", "retcode": 0, "status": "ok",
                    "wording": "",
                ]
            ),
            (
                .async(echo: "e"),
                ["data": nil, "echo": "e", "message": "", "retcode": 1, "status": "async", "wording": ""]
            ),
            (
                .failed(.invalid("group_id", "expected an integer"), echo: 3),
                [
                    "data": nil, "echo": 3, "message": "invalid [group_id]: expected an integer", "msg": "BAD_PARAM",
                    "retcode": 10003, "status": "failed", "wording": "invalid [group_id]: expected an integer",
                ]
            ),
            (
                .ok(listing, echo: .double(1.5)),
                [
                    "data": listing, "echo": .double(1.5), "message": "",
                    "retcode": 0, "status": "ok", "wording": "",
                ]
            ),
        ]
        for (response, expected) in cases {
            let bytes = response.encodedBytes()
            #expect(bytes == Array(expected.encoded()))
            let parsed = try #require(JSONParser.parse(bytes))
            #expect(bytes == Array(parsed.encoded()), "keys are written sorted")
        }
    }

    private func fileValue() -> JSONValue {
        var out = JSONWriter()
        file.writeFileObject(into: &out)
        return JSONParser.parse(out.bytes) ?? .null
    }
}
