import Foundation
import Synchronization

/// The signed-in browsers: a random session id (the cookie) for each, with its CSRF token and its end, held in
/// memory only, so that a restart signs everyone out.
final class ConsoleSessions: Sendable {
    struct Session: Sendable, Equatable {
        let id: String
        /// Sent back in every state-changing form and upload: a page of another site cannot read it.
        let csrf: String
        let expires: Int64
    }

    /// More sign-ins than an admin team makes: past it the oldest session ends, so that a script signing in again
    /// and again cannot grow memory.
    static let capacity = 1_000

    /// What the page after a redirect says about the form that caused it, by session: shown once.
    struct Flash: Sendable, Equatable {
        var notice: String?
        var error: String?
    }

    private let sessions = Mutex<[String: Session]>([:])
    private let flashes = Mutex<[String: Flash]>([:])
    private let ttl: Int64
    private let now: @Sendable () -> Int64

    init(ttlSeconds: Int64, now: @escaping @Sendable () -> Int64) {
        ttl = ttlSeconds
        self.now = now
    }

    /// A new session, `ttl` seconds long.
    func open() -> Session {
        let time = now()
        let session = Session(id: Self.randomToken(), csrf: Self.randomToken(), expires: time + ttl)
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.expires > time }
            if sessions.count >= Self.capacity, let oldest = sessions.values.min(by: { $0.expires < $1.expires }) {
                sessions[oldest.id] = nil
            }
            sessions[session.id] = session
            let live = Set(sessions.keys)
            flashes.withLock { $0 = $0.filter { live.contains($0.key) } }
        }
        return session
    }

    /// The live session with this id, or nil (unknown, ended or expired).
    func session(_ id: String) -> Session? {
        let time = now()
        return sessions.withLock { sessions in
            guard let session = sessions[id] else { return nil }
            guard session.expires > time else {
                sessions[id] = nil
                return nil
            }
            return session
        }
    }

    func close(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
        _ = flashes.withLock { $0.removeValue(forKey: id) }
    }

    /// Keeps `flash` for the next page `id` shows.
    func flash(_ flash: Flash, for id: String) {
        guard session(id) != nil else { return }
        flashes.withLock { $0[id] = flash }
    }

    /// The flash kept for `id`, once.
    func takeFlash(_ id: String) -> Flash? { flashes.withLock { $0.removeValue(forKey: id) } }

    /// 32 random bytes in URL-safe base64 (43 characters): `SystemRandomNumberGenerator` is the system's
    /// cryptographic generator (getrandom on Linux).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
