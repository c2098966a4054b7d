import Hummingbird

/// A console request once `ConsoleGate` has let it in: its session, its language and the fields of its form.
struct ConsoleRequestContext: ChildRequestContext {
    typealias ParentContext = BasicRequestContext

    var coreContext: CoreRequestContextStorage
    var session: ConsoleSessions.Session?
    var language = ConsoleLanguage.en
    /// The fields of a `application/x-www-form-urlencoded` body, read (and its CSRF token checked) by the gate.
    var form: [String: String] = [:]

    init(context: BasicRequestContext) throws {
        coreContext = context.coreContext
    }
}
