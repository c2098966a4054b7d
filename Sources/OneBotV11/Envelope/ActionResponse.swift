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
        var out = JSONWriter(capacity: 256 + Int(data.heldBytes))
        out.beginObject()
        out.member("data", data)
        if let echo { out.member("echo", echo) }
        out.member("message", message)
        if let msg { out.member("msg", msg) }
        out.member("retcode", Int64(retcode))
        out.member("status", status.rawValue)
        if stream { out.member("stream", "stream-action") }
        out.member("wording", message)
        out.endObject()
        return out.bytes
    }
}
