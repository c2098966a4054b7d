/// The settings of the declared config sections, kept in `TrefoilConfig` by section type.
///
/// A section that was never stored reads as its defaults and compares equal to them, so a config built in code and
/// one loaded from `{}` are equal whichever sections each was given.
public struct ConfigSections: Sendable, Equatable {
    /// In the order the sections were first stored, which is the order the loader was given them.
    private var boxes: [any SectionBox] = []

    public init() {}

    /// The settings of `type`'s section; its defaults when none were stored.
    public subscript<Settings: ConfigSectionSettings>(_ type: Settings.Type) -> Settings {
        get {
            for box in boxes { if let settings = box.settings as? Settings { return settings } }
            return Settings()
        }
        set {
            let box = Box(value: newValue)
            if let index = boxes.firstIndex(where: { $0.settings is Settings }) {
                boxes[index] = box
            } else {
                boxes.append(box)
            }
        }
    }

    /// Every stored section's summary pairs, keys as the document spells them.
    var summary: [(key: String, value: String)] { boxes.flatMap(\.summary) }

    public static func == (left: ConfigSections, right: ConfigSections) -> Bool {
        for box in left.boxes where !(right.boxes.first { $0.name == box.name }.map(box.isEqual) ?? box.isDefault) {
            return false
        }
        for box in right.boxes where !left.boxes.contains(where: { $0.name == box.name }) && !box.isDefault {
            return false
        }
        return true
    }
}

/// One section's settings with what `ConfigSections` needs to compare and log them without knowing their type.
private protocol SectionBox: Sendable {
    var name: String { get }
    var settings: any Sendable { get }
    var isDefault: Bool { get }
    var summary: [(key: String, value: String)] { get }
    func isEqual(_ other: any SectionBox) -> Bool
}

private struct Box<Settings: ConfigSectionSettings>: SectionBox {
    let value: Settings

    var settings: any Sendable { value }
    var name: String { Settings.section.name }
    var isDefault: Bool { value == Settings() }
    var summary: [(key: String, value: String)] { Settings.section.rootSummary(value) }
    func isEqual(_ other: any SectionBox) -> Bool { (other.settings as? Settings) == value }
}
