import TrefoilCore

/// How the face writes OneBot's integer ids (groups, users) as the store's text ids, and back.
///
/// A OneBot id is stored as its decimal digits: group 123 is the space `group "123"`. Going back, an id that is
/// not a decimal integer as `String(Int64)` writes it (an Easemob user `"u1"`, or `"007"`) has no OneBot form:
/// the face reports such an uploader or creator as 0 and sends no event for such a space.
enum OneBotIDs {
    static func text(_ id: Int64) -> String { String(id) }

    /// The OneBot id a store id writes, or nil when it writes none.
    static func number(_ id: String) -> Int64? {
        guard let number = Int64(id), String(number) == id else { return nil }
        return number
    }
}

extension Owner {
    /// The space of a OneBot group's files.
    static func group(_ id: Int64) -> Owner { .group(OneBotIDs.text(id)) }

    /// The space of a OneBot user's private files.
    static func user(_ id: Int64) -> Owner { .user(OneBotIDs.text(id)) }
}
