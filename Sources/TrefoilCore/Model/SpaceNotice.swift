/// One notice of a space (a group's announcement): its text, who published it and when.
public struct SpaceNotice: Sendable, Equatable {
    /// A lowercase UUID, stable for the notice's life.
    public var id: String
    public var owner: Owner
    public var text: String
    public var author: Member
    /// Unix seconds.
    public var publishedAt: Int64

    public init(id: String, owner: Owner, text: String, author: Member, publishedAt: Int64) {
        self.id = id
        self.owner = owner
        self.text = text
        self.author = author
        self.publishedAt = publishedAt
    }
}
