import HTTPTypes
import Hummingbird
import NIOCore
import TrefoilFaceKit
import TrefoilJSON

/// A failed call as the face answers it: an HTTP status, and `{"code", "message", "data": null}` whose `code` is
/// never 200 (docs/qiniu-im.md lists them). Where a code has an HTTP status of the same number, they are equal.
struct QiniuError: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var code: Int
    var message: String

    static func badParam(_ message: String) -> QiniuError {
        QiniuError(status: .badRequest, code: 400, message: message)
    }
    static func unauthorized(_ message: String) -> QiniuError {
        QiniuError(status: .unauthorized, code: 401, message: message)
    }
    static func forbidden(_ message: String) -> QiniuError {
        QiniuError(status: .forbidden, code: 403, message: message)
    }
    static func notFound(_ message: String) -> QiniuError { QiniuError(status: .notFound, code: 404, message: message) }
    static let ticketUsed = QiniuError(status: .conflict, code: 409, message: "the upload ticket was already used")
    static func tooLarge(_ limit: Int64) -> QiniuError {
        QiniuError(
            status: .contentTooLarge, code: 413, message: "the file is larger than the ticket allows (\(limit) bytes)")
    }
    static func unsupportedMediaType(_ message: String) -> QiniuError {
        QiniuError(status: .unsupportedMediaType, code: 415, message: message)
    }
    static func serverError(_ message: String) -> QiniuError {
        QiniuError(status: .internalServerError, code: 500, message: message)
    }
    static func unavailable(_ message: String) -> QiniuError {
        QiniuError(status: .serviceUnavailable, code: 503, message: message)
    }

    var body: [UInt8] {
        Array(JSONValue.object(["code": .int(Int64(code)), "message": .string(message), "data": .null]).encoded())
    }

    var response: Response { QiniuReply.json(body, status: status) }

    var refusal: DownloadRefusal {
        DownloadRefusal(status: status, headers: [.contentType: "application/json"], body: body)
    }
}

/// Successful answers: `{"code": 200, "message": null, "data": …}`.
enum QiniuReply {
    static func success(_ data: JSONValue) -> Response {
        json(Array(JSONValue.object(["code": 200, "message": .null, "data": data]).encoded()), status: .ok)
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
