import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OneBotV11

extension Response {
    /// A OneBot envelope as a JSON response.
    static func envelope(_ response: ActionResponse, status: HTTPResponse.Status = .ok) -> Response {
        json(response.encoded(), status: status)
    }

    /// A failed envelope with a transport status (400, 401, 403, 404, 406, 413).
    static func failure(_ error: OneBotError, status: HTTPResponse.Status) -> Response {
        envelope(.failed(error, echo: nil), status: status)
    }

    static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
