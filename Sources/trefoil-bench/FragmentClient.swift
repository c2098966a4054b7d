import Foundation
import TrefoilJSON

/// The client side of the fragment rows: one forward-WebSocket connection on a blocking socket (`LoadSocket`, which
/// masks a word at a time), requests built in buffers it reuses, run on a thread of its own.
///
/// Like a bot's `call_api`, it has one request on the wire at a time. While the server works on it, the client
/// builds its next request (the next fragment's base64) or checks the answer before; so its own base64 and copies
/// overlap the server's work instead of adding to it. The NIO-based `WSRPC` masked byte by byte, made a `String` per
/// answer and a fresh buffer per frame: with it the bench took more CPU than the server it measured.
final class FragmentClient {
    private let socket: LoadSocket
    private var lastEcho = 0

    private init(socket: LoadSocket) { self.socket = socket }

    /// Runs `body` with a connection to `url` on a thread of its own, off the Swift concurrency pool.
    static func withConnection<T: Sendable>(
        url: String, _ body: @escaping @Sendable (FragmentClient) throws -> T
    ) async throws -> T {
        try await onOwnThread {
            let client = FragmentClient(socket: try LoadSocket.open(url: url))
            defer { client.socket.sendClose() }
            return try body(client)
        }
    }

    /// A request, `{"action":…,"params":{…},"echo":N}`, written into `message` (emptied first); `params` appends the
    /// members inside the params object. Returns its echo.
    func build(_ action: String, into message: inout [UInt8], params: (inout [UInt8]) throws -> Void) rethrows -> Int {
        lastEcho += 1
        message.removeAll(keepingCapacity: true)
        message.append(contentsOf: #"{"action":"\#(action)","params":{"#.utf8)
        try params(&message)
        message.append(contentsOf: #"},"echo":\#(lastEcho)}"#.utf8)
        return lastEcho
    }

    func send(_ message: [UInt8]) throws {
        try message.withUnsafeBytes { try socket.send(payload: $0) }
    }

    /// Waits for the answer with `echo` and hands its bytes to `body`, which may send the next request before it
    /// looks at them; the bytes are valid only during the call. Throws unless the answer says `ok`.
    func receive<T>(echo: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) throws -> T {
        var result: T?
        let handle = { (bytes: UnsafeBufferPointer<UInt8>) throws in
            guard result == nil, echoNumber(in: bytes) == echo else {
                throw BenchError("expected the answer to request \(echo), got \(Self.text(bytes))")
            }
            guard isOK(bytes) else { throw BenchError("request \(echo) failed: \(Self.text(bytes))") }
            result = try body(bytes)
        }
        guard try socket.receiveBuffered(handle) else { throw BenchError("the connection closed") }
        while result == nil {
            guard try socket.receive(handle) else { throw BenchError("the connection closed") }
        }
        return result!
    }

    /// Sends a small request and parses its whole answer.
    func call(_ action: String, params: String) throws -> [String: Any] {
        var message: [UInt8] = []
        let echo = build(action, into: &message) { $0.append(contentsOf: params.utf8) }
        try send(message)
        return try receive(echo: echo) { bytes in
            guard let envelope = Envelope.parse(String(decoding: bytes, as: UTF8.self)) else {
                throw BenchError("\(action): the answer is not JSON: \(Self.text(bytes))")
            }
            return envelope
        }
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes.prefix(300), as: UTF8.self)
    }
}

extension [UInt8] {
    /// Appends the standard base64 of `bytes`, encoded in place (no `Data` of it first) by the gateway's own codec:
    /// the bench's client should not be what limits the rows.
    mutating func appendBase64(of bytes: UnsafeBufferPointer<UInt8>) {
        append(room: Base64Codec.encodedLength(bytes.count)) {
            Base64Codec.encode(UnsafeRawBufferPointer(bytes), into: $0)
        }
    }
}
