import HTTPTypes
import NIOHTTP1

extension HTTPFields {
    /// A NIO request's header lines as `HTTPFields`, in order; a line whose name is not a valid field name is left
    /// out.
    init(_ headers: HTTPHeaders) {
        self.init()
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { append(HTTPField(name: name, value: value)) }
        }
    }
}

extension HTTPRequest {
    /// A NIO request head as the faces see requests.
    init(_ head: HTTPRequestHead) {
        self.init(
            method: HTTPRequest.Method(head.method.rawValue) ?? .get, scheme: nil, authority: nil, path: head.uri,
            headerFields: HTTPFields(head.headers))
    }
}
