import HTTPTypes
import Hummingbird
import NIOCore
import TrefoilFaceKit
import TrefoilJSON

/// One call being answered: what the success wrapper echoes (method, path, query) and when the call began.
///
/// Every success is `{"action", "application", "applicationName", "organization", "uri", "path", "entities",
/// "timestamp", "duration"}` plus `data` (most calls) and `params` (the query, each value as an array of strings,
/// when the request had one).
struct EasemobCall: Sendable {
    let app: EasemobApp
    /// `get`, `post`, `delete`: the request's method, lowercased.
    let action: String
    /// The request path after the app's prefix, such as `/chatfiles`.
    let path: String
    let query: String
    let started: ContinuousClock.Instant

    init(app: EasemobApp, request: Request) {
        self.app = app
        action = request.method.rawValue.lowercased()
        path = app.relativePath(Substring(request.uri.path)).map(String.init) ?? request.uri.path
        query = request.uri.query ?? ""
        started = .now
    }

    /// The request URL as the service writes it: the public URL, `/{org}/{app}` and the path, without the query.
    var uri: String { app.uriBase + path }

    /// `params`: every query parameter, in order, each name with all its values as strings.
    var params: JSONValue? {
        let pairs = FormEncoding.pairs(Substring(query)) ?? []
        guard !pairs.isEmpty else { return nil }
        var members: [String: [JSONValue]] = [:]
        for (name, value) in pairs { members[name, default: []].append(.string(value)) }
        return .object(members.mapValues { .array($0) })
    }

    /// The success wrapper around `entities` and `data`.
    func success(entities: [JSONValue] = [], data: JSONValue? = nil) -> Response {
        var wrapper: [String: JSONValue] = [
            "action": .string(action),
            "application": .string(app.uuid),
            "applicationName": .string(app.appName),
            "organization": .string(app.orgName),
            "uri": .string(uri),
            "path": .string(path),
            "entities": .array(entities),
            "timestamp": .int(EasemobClock.milliseconds()),
            "duration": .int(EasemobClock.elapsedMilliseconds(since: started)),
        ]
        if let data { wrapper["data"] = data }
        if let params { wrapper["params"] = params }
        return Self.json(Array(JSONValue.object(wrapper).encoded()), status: .ok)
    }

    /// The error body for `error`.
    func failure(_ error: EasemobError) -> Response {
        Self.json(error.body(started: started), status: error.status)
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
