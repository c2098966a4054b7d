import Crypto
import Foundation
import Testing

@testable import TrefoilS3

/// The published Signature Version 4 test suite: for every case, the canonical request, the string to sign and the
/// signature of both header signing and presigning match AWS's, byte for byte.
@Suite("Signature Version 4 test suite")
struct SigV4TestSuiteTests {
    static let cases: [String] = {
        let root = Bundle.module.resourceURL!.appendingPathComponent("Vectors")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { !$0.hasSuffix(".md") }.sorted()
    }()

    @Test("the suite is all there (38 cases)")
    func suiteIsComplete() {
        #expect(Self.cases.count == 38)
    }

    @Test("header signing matches the canonical request, string to sign and signature", arguments: cases)
    func headerSigning(_ name: String) throws {
        let vector = try TestVector(name)
        let (headers, signature) = vector.signer.sign(
            vector.request, at: vector.time, addingContentHash: vector.signsBody)
        #expect(signature.canonicalRequest == vector.expected("header-canonical-request.txt"))
        #expect(signature.stringToSign == vector.expected("header-string-to-sign.txt"))
        #expect(signature.signature == vector.expected("header-signature.txt"))
        #expect(headers.last?.name == "Authorization")
        #expect(headers.last?.value.hasSuffix("Signature=\(signature.signature)") == true)
    }

    @Test("presigning matches the canonical request, string to sign and signature", arguments: cases)
    func presigning(_ name: String) throws {
        let vector = try TestVector(name)
        let (query, signature) = vector.signer.presign(vector.request, at: vector.time, expires: vector.expires)
        #expect(signature.canonicalRequest == vector.expected("query-canonical-request.txt"))
        #expect(signature.stringToSign == vector.expected("query-string-to-sign.txt"))
        #expect(signature.signature == vector.expected("query-signature.txt"))
        #expect(query.last?.name == "X-Amz-Signature" && query.last?.value == signature.signature)
    }

    @Test("get-vanilla's Authorization header is AWS's, word for word")
    func vanillaAuthorization() throws {
        let vector = try TestVector("get-vanilla")
        let (headers, _) = vector.signer.sign(vector.request, at: vector.time, addingContentHash: false)
        #expect(headers.map(\.name) == ["x-amz-date", "Authorization"])
        #expect(headers[0].value == "20150830T123600Z")
        #expect(
            headers[1].value
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, "
                + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test("the secret never shows in a description of the credentials")
    func secretRedacted() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "wJalrXUtnFEMI")
        #expect(!"\(credentials)".contains("wJalrXUtnFEMI"))
        #expect("\(credentials)".contains("AKID"))
    }
}

/// One case of the suite: its request parsed from `request.txt`, its context, and its expected files.
struct TestVector {
    let folder: URL
    let request: SignableRequest
    let signer: SigV4Signer
    let time: Date
    let expires: Int
    let signsBody: Bool

    init(_ name: String) throws {
        folder = Bundle.module.resourceURL!.appendingPathComponent("Vectors/\(name)")
        let context =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent("context.json"))) as! [String: Any]
        let credentials = context["credentials"] as! [String: String]
        signer = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: credentials["access_key_id"]!, secretAccessKey: credentials["secret_access_key"]!,
                sessionToken: credentials["token"]),
            region: context["region"] as! String, service: context["service"] as! String,
            normalizesPath: context["normalize"] as! Bool,
            signsSessionToken: !((context["omit_session_token"] as? Bool) ?? false))
        time = ISO8601DateFormatter().date(from: context["timestamp"] as! String)!
        expires = context["expiration_in_seconds"] as! Int
        signsBody = context["sign_body"] as! Bool
        request = try Self.parse(String(contentsOf: folder.appendingPathComponent("request.txt"), encoding: .utf8))
    }

    func expected(_ file: String) -> String {
        (try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)) ?? "<missing \(file)>"
    }

    /// `METHOD target HTTP/1.1`, header lines (a line starting with white space continues the one before), a blank
    /// line, the body.
    static func parse(_ text: String) throws -> SignableRequest {
        let (head, body) =
            text.range(of: "\n\n").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) }
            ?? (text, "")
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let pathPart = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query: [(name: String, value: String)] =
            pathPart.count > 1
            ? pathPart[1].split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (
                    URIEncoding.decode(String(parts[0])), URIEncoding.decode(parts.count > 1 ? String(parts[1]) : "")
                )
            } : []
        return SignableRequest(
            method: method, path: String(pathPart[0]), query: query, headers: headers,
            payloadHash: Hex.encode(SHA256.hash(data: Data(body.utf8))))
    }
}
