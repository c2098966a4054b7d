import Synchronization

/// A boolean that one task raises and another reads.
public final class AtomicFlag: Sendable {
    private let value = Atomic<Bool>(false)

    public init() {}

    public func raise() { value.store(true, ordering: .releasing) }

    public var isRaised: Bool { value.load(ordering: .acquiring) }
}
