import HTTPTypes
import Testing

@testable import TrefoilServer

/// `PlainRequestHead` decides what `DownloadFastPath` may answer without NIO's HTTP/1 decoder: exactly the plainest
/// heads, whole, and nothing else (anything else goes to the decoder as it came).
@Suite("Plain request heads")
struct PlainRequestHeadTests {
    func heads(_ text: String) -> [PlainRequestHead]? {
        Array(text.utf8).withUnsafeBytes { PlainRequestHead.heads(in: $0) }
    }

    @Test("a GET with its fields is one plain head: method, target and fields exactly, values without outer spaces")
    func readsOneHead() throws {
        let read = try #require(
            heads("GET /files/abc/a.bin?expires=9&sig=x-_ HTTP/1.1\r\nHost:   t  \r\nUser-Agent: curl/8\t\r\n\r\n"))
        #expect(
            read == [
                PlainRequestHead(
                    method: "GET", target: "/files/abc/a.bin?expires=9&sig=x-_",
                    fields: [.init(name: "Host", value: "t"), .init(name: "User-Agent", value: "curl/8")])
            ])
        #expect(read[0].httpFields[.userAgent] == "curl/8")
    }

    @Test("pipelined heads in one read are each read, in order; a head with no fields is plain too")
    func readsPipelinedHeads() throws {
        let read = try #require(heads("GET /a HTTP/1.1\r\nHost: t\r\n\r\nHEAD /b HTTP/1.1\r\n\r\n"))
        #expect(read.map(\.method) == ["GET", "HEAD"])
        #expect(read.map(\.target) == ["/a", "/b"])
        #expect(read[1].fields.isEmpty)
    }

    @Test(
        "anything the decoder alone must judge is not plain",
        arguments: [
            "GET /a HTTP/1.1\r\nHost: t\r\n",  // no empty line yet: the head is not whole
            "GET /a HTTP/1.1\r\nHost: t\r\n\r",
            "GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b",  // a whole head, then part of another
            "GET /a HTTP/1.1\nHost: t\n\n",  // bare LF line ends
            "GET /a HTTP/1.1\r\nHost: t\n\r\n",
            "GET /a HTTP/1.1\r\nHost: t\r\n more\r\n\r\n",  // a folded line
            "GET /a HTTP/1.1\r\nHost : t\r\n\r\n",  // a space before the colon
            "GET /a HTTP/1.1\r\nHost: t\0u\r\n\r\n",  // a NUL in a value
            "GET /a HTTP/1.1\r\nHost: caf\u{e9}\r\n\r\n",  // a byte outside ASCII
            "GET /a HTTP/1.1\r\nContent-Length: 0\r\n\r\n",  // a body's framing, even an empty one
            "GET /a HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
            "GET /a HTTP/1.0\r\nHost: t\r\n\r\n",  // not HTTP/1.1
            "get /a HTTP/1.1\r\nHost: t\r\n\r\n",  // a method not in capitals
            "GET a HTTP/1.1\r\nHost: t\r\n\r\n",  // a target not starting with /
            "GET /a b HTTP/1.1\r\nHost: t\r\n\r\n",  // a space in the target
            "GET  /a HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET /\u{e9} HTTP/1.1\r\n\r\n",
            "",
        ])
    func refusesWhatIsNotPlain(text: String) {
        #expect(heads(text) == nil)
    }

    @Test("a head over the size or the field limit is not plain; one just under both is")
    func refusesOversizedHeads() {
        let fields = (0..<PlainRequestHead.maxFields).map { "X-\($0): v\r\n" }.joined()
        #expect(heads("GET /a HTTP/1.1\r\n" + fields + "\r\n")?.first?.fields.count == PlainRequestHead.maxFields)
        #expect(heads("GET /a HTTP/1.1\r\n" + fields + "X-Last: v\r\n\r\n") == nil)
        let longValue = String(repeating: "v", count: PlainRequestHead.maxBytes)
        #expect(heads("GET /a HTTP/1.1\r\nX-Long: \(longValue)\r\n\r\n") == nil)
        let longTarget = "/" + String(repeating: "a", count: PlainRequestHead.maxBytes)
        #expect(heads("GET \(longTarget) HTTP/1.1\r\n\r\n") == nil)
    }

    @Test("only a keep-alive GET with one Host that asks for the whole file is answered in front of the decoder")
    func asksPlainly() throws {
        func plain(_ fields: String) throws -> Bool {
            DownloadFastPath.asksPlainly(try #require(heads("GET /files/x HTTP/1.1\r\n\(fields)\r\n")?.first))
        }
        #expect(try plain("Host: t\r\n"))
        #expect(try plain("host: t\r\nConnection: Keep-Alive\r\nAccept: */*\r\n"))
        #expect(try !plain(""))
        #expect(try !plain("Host: t\r\nHost: u\r\n"))
        for field in [
            "Connection: close", "Connection: upgrade", "Upgrade: websocket", "Range: bytes=0-1", "If-None-Match: *",
            "If-Range: x", "If-Modified-Since: x", "Expect: 100-continue", "TE: trailers",
        ] {
            #expect(try !plain("Host: t\r\n\(field)\r\n"), "\(field)")
        }
    }
}
