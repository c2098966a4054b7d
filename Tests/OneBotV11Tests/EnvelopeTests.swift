import Foundation
import OneBotSpec
import Testing
import TrefoilCore
import TrefoilJSON

@testable import OneBotV11

@Suite("Envelopes")
struct EnvelopeTests {
    func decode(_ text: String) -> Result<ActionRequest, FailedRequest> {
        ActionRequest.decode(Data(text.utf8))
    }

    func json(_ response: ActionResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: response.encoded())) as? [String: Any] ?? [:]
    }

    @Test("a request decodes action, params and an echo of any JSON type")
    func decodesRequests() throws {
        for echo in [#""abc""#, "42", "{\"k\":[1,true,null]}", "[1,2]", "true", "null", "1.5"] {
            let request = try decode(#"{"action":"get_status","params":{"group_id":"12"},"echo":\#(echo)}"#).get()
            #expect(request.action == "get_status")
            #expect(request.params.values["group_id"] == .string("12"))
            #expect(request.echo == (try JSONDecoder().decode(JSONValue.self, from: Data(echo.utf8))))
        }
        #expect(try decode(#"{"action":"x"}"#).get().echo == nil)
        #expect(try decode(#"{"action":"x","params":null}"#).get().params == Params())
    }

    @Test("a number in echo is answered with its own text, from Data and from a frame's String alike")
    func echoNumbersKeepTheirText() throws {
        let echoes = [
            "18446744073709551616", "1.0", "-0", "1e3", "-1.50E+2", "-0.0", "9223372036854775808", "[1.0, 2]",
            #"{ "seq": 1.0 }"#, #"{"a":{"b":[-0]}}"#,
        ]
        for echo in echoes {
            let text = #"{"action":"x","params":{"n":1.0},"echo": \#(echo) }"#
            for request in [try decode(text).get(), try ActionRequest.decode(text).get()] {
                let answer = String(decoding: ActionResponse.ok(.null, echo: request.echo).encoded(), as: UTF8.self)
                #expect(answer.contains(#""echo":\#(echo),"#), "\(answer)")
                // Params read as before: the text is kept for the echo alone.
                #expect(request.params.values["n"] == .int(1))
            }
        }
        // A failed request carries its echo back the same way.
        guard case .failure(let failed) = decode(#"{"echo":1.0}"#) else {
            Issue.record("a frame without action should fail")
            return
        }
        #expect(
            String(decoding: ActionResponse.failed(failed.error, echo: failed.echo).encoded(), as: UTF8.self)
                .contains(#""echo":1.0,"#))
    }

    @Test("an echo that writes back as it came stays a plain value, with no copy of its text")
    func plainEchoesStayValues() throws {
        let cases: [(String, JSONValue)] = [
            ("12", .int(12)), ("-7", .int(-7)), ("0.1", .double(0.1)), (#""s""#, "s"), (#"{"seq":3}"#, ["seq": 3]),
            ("[1,true]", [1, true]),
        ]
        for (echo, value) in cases {
            #expect(try decode(#"{"action":"x","echo":\#(echo)}"#).get().echo == value, "\(echo)")
        }
        // Outside a request, numbers read as numbers, echo or not.
        #expect(JSONValue.parse(Array(#"{"echo":1.0}"#.utf8)) == ["echo": 1])
    }

    @Test("frames that are not JSON or have no action are BAD_REQUEST, echo copied only from an object")
    func badFrames() {
        let cases: [(String, JSONValue?)] = [
            ("not json", nil), ("[1,2]", nil), (#"{"echo":7}"#, .int(7)), (#"{"action":5,"echo":"e"}"#, "e"),
            (#"{"action":"x","params":[1],"echo":{"a":1}}"#, ["a": 1]),
        ]
        for (text, echo) in cases {
            guard case .failure(let failed) = decode(text) else {
                Issue.record("\(text) should fail")
                continue
            }
            #expect(failed.error.retcode == 1400)
            #expect(failed.error.key == "BAD_REQUEST")
            #expect(failed.echo == echo)
        }
    }

    @Test("a success envelope has status ok, retcode 0, data, empty message and wording, no msg")
    func successShape() {
        let body = json(.ok(["a": 1], echo: "e1"))
        #expect(body["status"] as? String == "ok")
        #expect(body["retcode"] as? Int == 0)
        #expect((body["data"] as? [String: Any])?["a"] as? Int == 1)
        #expect(body["message"] as? String == "")
        #expect(body["wording"] as? String == "")
        #expect(body["msg"] == nil)
        #expect(body["echo"] as? String == "e1")
        #expect(Set(body.keys) == ["status", "retcode", "data", "message", "wording", "echo"])
    }

    @Test("a failed envelope carries retcode, msg key, message = wording, data null, and no echo key without one")
    func failureShape() {
        let body = json(.failed(.lack("group_id"), echo: nil))
        #expect(body["status"] as? String == "failed")
        #expect(body["retcode"] as? Int == 10003)
        #expect(body["msg"] as? String == "BAD_PARAM")
        #expect(body["message"] as? String == "lack of [group_id]")
        #expect(body["wording"] as? String == "lack of [group_id]")
        #expect(body["data"] is NSNull)
        #expect(body["echo"] == nil)
    }

    @Test("an async envelope is status async, retcode 1, data null")
    func asyncShape() {
        let body = json(.async(echo: 3))
        #expect(body["status"] as? String == "async")
        #expect(body["retcode"] as? Int == 1)
        #expect(body["data"] is NSNull)
        #expect(body["echo"] as? Int == 3)
    }

    @Test("every core error maps to its retcode and msg key")
    func errorMapping() {
        let expected: [(TrefoilError, Int, String)] = [
            (.invalid(.fileName, "x"), 10003, "BAD_PARAM"), (.unsupportedParam("x"), 10004, "UNSUPPORTED_PARAM"),
            (.internalError("x"), 20002, "INTERNAL_ERROR"), (.databaseError("x"), 31000, "DATABASE_ERROR"),
            (.localFileNotFound("x"), 32001, "LOCAL_FILE_NOT_FOUND"),
            (.storageWriteFailed("x"), 32002, "STORAGE_WRITE_FAILED"), (.fileNotFound, 35001, "FILE_NOT_FOUND"),
            (.folderNotFound, 35002, "FOLDER_NOT_FOUND"), (.nameConflict, 35003, "NAME_CONFLICT"),
            (.quotaExceeded, 35004, "QUOTA_EXCEEDED"), (.fileCountLimit, 35005, "FILE_COUNT_LIMIT"),
            (.fileTooLarge, 35006, "FILE_TOO_LARGE"), (.folderTooDeep, 35007, "FOLDER_TOO_DEEP"),
        ]
        for (error, retcode, key) in expected {
            let mapped = OneBotError(error, action: "upload_group_file")
            #expect(mapped.retcode == retcode)
            #expect(mapped.key == key)
            if case .invalid = error {
            } else if error != .quotaExceeded && error != .fileCountLimit {
                #expect(mapped.message == error.message)
            }
        }
        #expect(OneBotError(CancellationError(), action: "a").retcode == 20002)
    }
}

/// The core words a refused value and a full space in its own terms; the face says them as it always has.
@Suite("Core error wording")
struct CoreErrorWordingTests {
    @Test(
        "a refused value names the param that carried it in that action",
        arguments: [
            (
                "rename_group_file", TrefoilError.invalid(.fileName, "empty after trimming"),
                "invalid [new_name]: empty after trimming"
            ),
            (
                "upload_group_file", .invalid(.fileName, "256 bytes of UTF-8, at most 255 allowed"),
                "invalid [name]: 256 bytes of UTF-8, at most 255 allowed"
            ),
            (
                "upload_private_file", .invalid(.fileName, "empty after trimming"),
                "invalid [name]: empty after trimming"
            ),
            (
                "download_file", .invalid(.fileName, "\".\" cannot name a file on disk"),
                "invalid [name]: \".\" cannot name a file on disk"
            ),
            (
                "create_group_file_folder", .invalid(.folderName, "a folder name cannot contain /"),
                "invalid [name]: a folder name cannot contain /"
            ),
            (
                "rename_group_folder", .invalid(.folderName, "empty after trimming"),
                "invalid [name]: empty after trimming"
            ),
            (
                "rename_group_folder", .invalid(.folder, "the root folder cannot be renamed"),
                "invalid [folder_id]: the root folder cannot be renamed"
            ),
            (
                "delete_group_folder", .invalid(.folder, "the root folder cannot be deleted"),
                "invalid [folder_id]: the root folder cannot be deleted"
            ),
            (
                "upload_group_file", .invalid(.localPath, "a path cannot contain a NUL"),
                "invalid [file]: a path cannot contain a NUL"
            ),
            ("upload_group_file", .invalid(.ownerID, "must not be empty"), "invalid [group_id]: must not be empty"),
            ("upload_private_file", .invalid(.ownerID, "must not be empty"), "invalid [user_id]: must not be empty"),
            (
                "_send_group_notice", .invalid(.noticeText, "must not contain a NUL"),
                "invalid [content]: must not contain a NUL"
            ),
        ])
    func invalidValues(action: String, error: TrefoilError, message: String) {
        let mapped = OneBotError(error, action: action)
        #expect(mapped.message == message)
        #expect(mapped.retcode == 10003)
        #expect(mapped.key == "BAD_PARAM")
    }

    @Test("a notice that is not there is NOTICE_NOT_FOUND, 35008")
    func noticeNotFound() {
        #expect(
            OneBotError(.noticeNotFound, action: "_del_group_notice")
                == OneBotError(retcode: 35008, key: "NOTICE_NOT_FOUND", message: "notice not found"))
    }

    @Test("an upload ticket used twice is TICKET_USED, 35009")
    func ticketUsed() {
        #expect(
            OneBotError(.ticketUsed, action: "upload_group_file")
                == OneBotError(
                    retcode: 35009, key: "TICKET_USED", message: "the upload ticket was already used or has expired"))
    }

    @Test("a full space is a group's in group actions and a private file's in private ones")
    func limits() {
        #expect(OneBotError(.quotaExceeded, action: "upload_group_file").message == "group storage quota exceeded")
        #expect(OneBotError(.fileCountLimit, action: "upload_group_file").message == "group file count limit reached")
        #expect(
            OneBotError(.quotaExceeded, action: "upload_private_file").message == "private file storage quota exceeded")
        #expect(
            OneBotError(.fileCountLimit, action: "upload_private_file").message == "private file count limit reached")
    }
}

@Suite("Params")
struct ParamsTests {
    @Test("integers arrive as numbers or numeric strings; anything else is BAD_PARAM naming the param")
    func integers() throws {
        #expect(try Params(["group_id": 12]).int64(Param.groupID) == 12)
        #expect(try Params(strings: ["group_id": " 123 "]).int64(Param.groupID) == 123)
        #expect(try Params(["group_id": .double(7)]).int64(Param.groupID) == 7)
        #expect(throws: OneBotError.lack("group_id")) { try Params().int64(Param.groupID) }
        #expect(throws: OneBotError.lack("group_id")) { try Params(["group_id": .null]).int64(Param.groupID) }
        #expect(throws: OneBotError.invalid("group_id", "expected an integer, got \"12a\"")) {
            try Params(strings: ["group_id": "12a"]).int64(Param.groupID)
        }
        #expect(throws: OneBotError.invalid("group_id", "expected an integer")) {
            try Params(["group_id": .double(1.5)]).int64(Param.groupID)
        }
    }

    @Test("booleans accept true/false, 1/0 and their strings")
    func booleans() throws {
        let spec = ParamSpec("flag", .bool, .optional(default: nil), "")
        for (value, expected) in [
            (JSONValue.bool(true), true), (.int(0), false), ("true", true), ("1", true), ("0", false),
        ] {
            #expect(try Params(["flag": value]).optionalBool(spec) == expected)
        }
        #expect(throws: OneBotError.self) { try Params(["flag": "maybe"]).optionalBool(spec) }
    }

    @Test("aliases are accepted and the canonical name wins")
    func aliases() throws {
        #expect(try Params(["folder": "/a"]).string(Param.folderID) == "/a")
        #expect(try Params(["folder_id": "/b", "folder": "/a"]).string(Param.folderID) == "/b")
        #expect(try Params(["new_folder_name": "n"]).string(Param.newFolderName) == "n")
        #expect(try Params(["bus_id": "102"]).optionalInt(Param.busid) == 102)
    }

    @Test("body params win over query params")
    func merging() throws {
        let merged = Params(["group_id": 1]).merging(under: Params(strings: ["group_id": "2", "file_id": "/f"]))
        #expect(try merged.int64(Param.groupID) == 1)
        #expect(try merged.string(Param.fileID) == "/f")
    }

    @Test("headers come as K=V lines or an array; malformed ones are refused")
    func headers() throws {
        let lines = try Params(["headers": "A=1\nB = two\n"]).headers(Param.headers)
        #expect(lines.map { "\($0.0):\($0.1)" } == ["A:1", "B:two"])
        let array = try Params(["headers": ["User-Agent=x"]]).headers(Param.headers)
        #expect(array.map(\.0) == ["User-Agent"])
        #expect(throws: OneBotError.self) { try Params(["headers": "novalue"]).headers(Param.headers) }
        #expect(throws: OneBotError.self) { try Params(["headers": ["A=1\r\nX: y"]]).headers(Param.headers) }
    }
}
