import Foundation
import HTTPTypes
import TrefoilFaceKit
import TrefoilJSON

/// A failed call as the service answers it: an HTTP status and `{"error", "exception", "timestamp", "duration",
/// "error_description"}`. Clients (the server SDKs) read the status and `error_description`; `error` is the
/// machine-readable type.
struct EasemobError: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    /// The error type, such as `illegal_argument`.
    var type: String
    var description: String
    /// The Java exception the service names; kept for apps that log it.
    var exception: String

    /// The error body, timed from `started`.
    func body(started: ContinuousClock.Instant) -> [UInt8] {
        let value: JSONValue = [
            "error": .string(type),
            "exception": .string(exception),
            "timestamp": .int(EasemobClock.milliseconds()),
            "duration": .int(EasemobClock.elapsedMilliseconds(since: started)),
            "error_description": .string(description),
        ]
        return Array(value.encoded())
    }

    /// The refusal of a download route, in this format.
    func refusal(started: ContinuousClock.Instant) -> DownloadRefusal {
        DownloadRefusal(status: status, headers: [.contentType: "application/json"], body: body(started: started))
    }
}

extension EasemobError {
    private static let argumentException = "java.lang.IllegalArgumentException"
    private static let securityException = "org.apache.usergrid.rest.exceptions.SecurityException"

    // 400
    static func illegalArgument(_ description: String) -> EasemobError {
        EasemobError(
            status: .badRequest, type: "illegal_argument", description: description, exception: argumentException)
    }
    static let fileMissing = illegalArgument("file must be provided.")
    static let announcementMissing = illegalArgument("announcement is null")
    static func jsonParse(_ description: String) -> EasemobError {
        EasemobError(
            status: .badRequest, type: "json_parse", description: description,
            exception: "com.fasterxml.jackson.core.JsonParseException")
    }
    static let invalidGrant = EasemobError(
        status: .badRequest, type: "invalid_grant", description: "invalid client_id or client_secret",
        exception: "org.apache.usergrid.management.exceptions.InvalidGrantException")

    // 401
    static let noToken = EasemobError(
        status: .unauthorized, type: "unauthorized", description: "Unable to authenticate (OAuth)",
        exception: securityException)
    static let corruptToken = EasemobError(
        status: .unauthorized, type: "auth_bad_access_token",
        description: "Unable to authenticate due to corrupt access token", exception: securityException)
    static let expiredToken = EasemobError(
        status: .unauthorized, type: "unauthorized", description: "Unable to authenticate due to expired access token",
        exception: securityException)

    // 403
    static let announcementTooLong = EasemobError(
        status: .forbidden, type: "FORBIDDEN", description: "announce info length exceeds limit!",
        exception: "com.easemob.group.exception.GroupForbiddenException")
    static func forbiddenOp(_ description: String) -> EasemobError {
        EasemobError(
            status: .forbidden, type: "forbidden_op", description: description,
            exception: "com.easemob.group.exception.ForbiddenOpException")
    }

    // 404
    static let fileUnknown = EasemobError(
        status: .notFound, type: "entity_not_found", description: "file may not exists",
        exception: "org.apache.usergrid.services.exceptions.ServiceResourceNotFoundException")
    static func fileExpired(_ id: String) -> EasemobError {
        EasemobError(
            status: .notFound, type: "file_expired", description: "file \(id) is expired",
            exception: "org.apache.usergrid.services.exceptions.ServiceResourceNotFoundException")
    }
    static func groupUnknown(_ id: String) -> EasemobError {
        EasemobError(
            status: .notFound, type: "resource_not_found", description: "grpID \(id) does not exist!",
            exception: "com.easemob.group.exception.ResourceNotFoundException")
    }
    static func shareFileUnknown(_ id: String) -> EasemobError {
        EasemobError(
            status: .notFound, type: "resource_not_found", description: "file \(id) does not exist!",
            exception: "com.easemob.group.exception.ResourceNotFoundException")
    }
    static let noSuchAPI = EasemobError(
        status: .notFound, type: "service_resource_not_found", description: "Service resource not found",
        exception: "org.apache.usergrid.services.exceptions.ServiceResourceNotFoundException")

    // 413, 415, 429, 500
    static let fileTooLarge = EasemobError(
        status: .contentTooLarge, type: "file exceeding maximum limit",
        description: "the file size exceeds the maximum limit.",
        exception: "com.easemob.chatfile.exception.FileSizeExceededException")
    static let bodyTooLarge = EasemobError(
        status: .contentTooLarge, type: "Request Entity Too Large",
        description: "the request body is larger than \(EasemobLimits.jsonBodyBytes) bytes",
        exception: "javax.ws.rs.WebApplicationException")
    static func unsupportedMediaType(_ expected: String) -> EasemobError {
        EasemobError(
            status: .unsupportedMediaType, type: "web_application",
            description: "Unsupported Media Type: expected \(expected)",
            exception: "javax.ws.rs.WebApplicationException")
    }
    static let rateLimited = EasemobError(
        status: .tooManyRequests, type: "reach_limit", description: "This request has reached api limit",
        exception: "com.easemob.ratelimit.ReachLimitException")
    static func serverError(_ description: String) -> EasemobError {
        EasemobError(
            status: .internalServerError, type: "web_application", description: description,
            exception: "javax.ws.rs.WebApplicationException")
    }
}

/// The service's clocks: answers carry wall-clock milliseconds and the time the call took.
enum EasemobClock {
    static func milliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    static func elapsedMilliseconds(since started: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - started
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }
}
