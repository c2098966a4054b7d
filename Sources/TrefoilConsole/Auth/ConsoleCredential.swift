import TrefoilFaceKit

/// What an admin signs in with: `console.password` when set, else OneBot 11's `access_token`; neither set means the
/// console is open to whoever reaches the port (which the gateway then binds to loopback only).
struct ConsoleCredential: Sendable {
    let secret: String
    let isPassword: Bool

    init(password: String, accessToken: String) {
        isPassword = !password.isEmpty
        secret = isPassword ? password : accessToken
    }

    var isOpen: Bool { secret.isEmpty }

    /// Whether `given` signs in, compared in time that depends on the lengths only.
    func accepts(_ given: String) -> Bool { isOpen || ConstantTime.equal(given, secret) }
}
