import Foundation
import TrefoilJSON

/// One action call: `{"action", "params", "echo"}`.
public struct ActionRequest: Sendable, Equatable {
    public var action: String
    public var params: Params
    /// Copied verbatim into the response; nil when the request had none.
    public var echo: JSONValue?

    public init(action: String, params: Params = Params(), echo: JSONValue? = nil) {
        self.action = action
        self.params = params
        self.echo = echo
    }

    /// Decodes one WebSocket frame or `POST /` body.
    ///
    /// A frame that is not a JSON object, or has no string `action`, fails with `BAD_REQUEST`; the
    /// `echo` of a JSON object is still returned so that the failure can carry it back.
    public static func decode(_ data: Data) -> Result<ActionRequest, FailedRequest> {
        decode(parsed: JSONParser.parse(data, keepingTextOf: "echo"))
    }

    /// Decodes one WebSocket text frame, read in place.
    public static func decode(_ text: String) -> Result<ActionRequest, FailedRequest> {
        decode(parsed: JSONParser.parse(text, keepingTextOf: "echo"))
    }

    private static func decode(parsed value: JSONValue?) -> Result<ActionRequest, FailedRequest> {
        guard let value else {
            return .failure(FailedRequest(error: .badRequest("the frame is not valid JSON"), echo: nil))
        }
        guard case .object(let members) = value else {
            return .failure(FailedRequest(error: .badRequest("the frame is not a JSON object"), echo: nil))
        }
        let echo = members["echo"]
        guard case .string(let action)? = members["action"], !action.isEmpty else {
            return .failure(FailedRequest(error: .badRequest("the frame has no action"), echo: echo))
        }
        switch members["params"] {
        case nil, .null?:
            return .success(ActionRequest(action: action, echo: echo))
        case .object(let params)?:
            return .success(ActionRequest(action: action, params: Params(params), echo: echo))
        default:
            return .failure(FailedRequest(error: .badRequest("params must be an object"), echo: echo))
        }
    }
}

/// A request that could not even be read, with the echo to answer it under.
public struct FailedRequest: Error, Sendable {
    public let error: OneBotError
    public let echo: JSONValue?
}
