import Hummingbird
import NIOCore
import TrefoilFaceKit
import TrefoilJSON

/// The JSON object a call sends: at most `EasemobLimits.jsonBodyBytes`, with a JSON `Content-Type` when it names
/// one (the service answers any other with 415).
enum JSONBody {
    static func object(of request: Request) async -> Result<[String: JSONValue], EasemobError> {
        if let type = request.headers[.contentType].map(ContentType.init), !type.isJSON {
            return .failure(.unsupportedMediaType("application/json"))
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: EasemobLimits.jsonBodyBytes)
        } catch {
            return .failure(.bodyTooLarge)
        }
        guard buffer.readableBytes > 0 else { return .failure(.jsonParse("the request body is empty")) }
        guard let value = JSONParser.parse(Array(buffer.readableBytesView))
        else { return .failure(.jsonParse("the request body is not valid JSON")) }
        guard case .object(let members) = value else {
            return .failure(.jsonParse("the request body is not a JSON object"))
        }
        return .success(members)
    }
}
