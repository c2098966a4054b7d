import Crypto
import Foundation
import OneBotV11
import Testing
import TrefoilJSON

/// The two ways a bot calls actions; action tests run over both.
enum Transport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case http
    case webSocket

    var testDescription: String { rawValue }

    /// A caller on `server` over this transport.
    func caller(_ server: LiveServer) -> any Caller {
        switch self {
        case .http: HTTPCaller(server: server)
        case .webSocket: WSSession(port: server.port, path: "/api")
        }
    }
}

protocol Caller: Sendable {
    func call(_ action: String, _ params: JSONValue) async throws -> Envelope
}

struct HTTPCaller: Caller {
    let server: LiveServer
    func call(_ action: String, _ params: JSONValue) async throws -> Envelope {
        try await server.call(action, params)
    }
}

extension WSSession: Caller {
    func call(_ action: String, _ params: JSONValue) async throws -> Envelope {
        try await call(action, params, echo: .string(UUID().uuidString))
    }
}

extension Caller {
    /// Calls and requires success; returns `data`.
    @discardableResult
    func ok(_ action: String, _ params: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> JSONValue
    {
        let response = try await call(action, params)
        #expect(response.isOK, "\(action): \(response)", sourceLocation: sourceLocation)
        return response.data
    }

    /// Calls and requires a failure with `retcode` and `msg`; returns the message.
    @discardableResult
    func fails(
        _ action: String, _ params: JSONValue, retcode: Int64, msg: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let response = try await call(action, params)
        #expect(response.status == "failed", "\(action): \(response)", sourceLocation: sourceLocation)
        #expect(response.retcode == retcode, "\(action): \(response)", sourceLocation: sourceLocation)
        #expect(response.msg == msg, "\(action): \(response)", sourceLocation: sourceLocation)
        #expect(response.data == .null, sourceLocation: sourceLocation)
        #expect(response.json["wording"] == response.json["message"], sourceLocation: sourceLocation)
        return response.message ?? ""
    }
}

func base64(_ bytes: [UInt8]) -> String { "base64://" + Data(bytes).base64EncodedString() }

/// Bytes as a plain base64 param (OneBot 12's, NapCat's and Shamrock's byte params have no `base64://` prefix).
func base64Value(_ bytes: ArraySlice<UInt8>) -> JSONValue { .string(Data(bytes).base64EncodedString()) }

/// Whether `text` is a QQ-shaped id: "/" and a lowercase UUID.
func isUUIDID(_ text: String) -> Bool {
    text.wholeMatch(of: /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/) != nil
}
