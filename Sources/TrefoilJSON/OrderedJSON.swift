/// A JSON document as its author wrote it, for code that reports problems in it (the config loader).
///
/// `JSONValue` loses what such reports need: object members in document order (problems are reported in file
/// order), duplicate keys (a file that sets a key twice is ambiguous), and a number's exact text (an integer is
/// checked exactly, without a round trip through `Double`, and quoted as written). `JSONParser.parseOrdered` makes it.
public enum OrderedJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number's text exactly as written (`-1.50E+2`), valid by RFC 8259's grammar and of any size.
    case number(String)
    case string(String)
    case array([OrderedJSON])
    /// Members in document order, duplicates included.
    case object([Member])

    /// One `"key": value` pair of an object.
    public struct Member: Sendable, Equatable {
        public let key: String
        public let value: OrderedJSON

        public init(key: String, value: OrderedJSON) {
            self.key = key
            self.value = value
        }
    }

    /// How deeply a document may nest arrays and objects: deep enough for any config, shallow enough that no input
    /// exhausts the stack.
    public static let maxDepth = 64
}
