import Foundation
import TrefoilJSON

/// The answer to one request (docs/onebot11.md §2).
public struct ActionResponse: Sendable, Equatable {
    public enum Status: String, Sendable {
        case ok, async, failed
    }

    public var status: Status
    public var retcode: Int
    public var data: JSONValue
    public var message: String
    /// Present on failure only.
    public var msg: String?
    public var echo: JSONValue?
    /// NapCat's mark of a stream action's envelope: `"stream": "stream-action"`.
    public var stream = false

    public static func ok(_ data: JSONValue, echo: JSONValue?) -> ActionResponse {
        ActionResponse(status: .ok, retcode: 0, data: data, message: "", msg: nil, echo: echo)
    }

    /// This response marked as a stream action's (`stream`).
    public func streamed(_ isStreamed: Bool = true) -> ActionResponse {
        var copy = self
        copy.stream = isStreamed
        return copy
    }

    public static func async(echo: JSONValue?) -> ActionResponse {
        ActionResponse(status: .async, retcode: 1, data: .null, message: "", msg: nil, echo: echo)
    }

    public static func failed(_ error: OneBotError, echo: JSONValue?) -> ActionResponse {
        ActionResponse(
            status: .failed, retcode: error.retcode, data: .null, message: error.message, msg: error.key, echo: echo)
    }

    /// The envelope as compact JSON with sorted keys: `wording` repeats `message` (go-cqhttp and
    /// NapCat clients read it); `msg` on failure only; `echo` only when the request had one; `stream` only for a
    /// stream action.
    public func encoded() -> Data { Data(encodedBytes()) }

    /// `encoded()` as bytes, for transports that copy them into their own buffers.
    public func encodedBytes() -> [UInt8] {
        // Sized for `data` up front: a reply carrying megabytes of base64 is written without regrowing its buffer.
        var out: [UInt8] = []
        out.reserveCapacity(encodedCapacity)
        encode(into: &out)
        return out
    }

    /// The envelope written to `sink` (a transport's own buffer): `data` first, as its key sorts, and a base64
    /// fragment in it encoded straight into the sink.
    public func encode(into sink: inout some JSONSink) {
        sink.append(contentsOf: #"{"data":"#.utf8)
        data.write(to: &sink)
        var rest = JSONWriter(afterFirstMemberWithCapacity: 128 + message.utf8.count * 2)
        if let echo { rest.member("echo", echo) }
        rest.member("message", message)
        if let msg { rest.member("msg", msg) }
        rest.member("retcode", Int64(retcode))
        rest.member("status", status.rawValue)
        if stream { rest.member("stream", "stream-action") }
        rest.member("wording", message)
        rest.endObject()
        sink.append(contentsOf: rest.bytes)
    }

    /// How many bytes `encode(into:)` writes at most, for a sink sized once.
    public var encodedCapacity: Int { 256 + Int(data.heldBytes) + message.utf8.count * 2 + Int(echo?.heldBytes ?? 0) }
}
