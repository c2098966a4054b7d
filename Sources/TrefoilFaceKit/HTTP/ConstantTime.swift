/// Comparisons of secrets (a client secret, a token from a list) whose time depends on the lengths only, never on
/// where the texts first differ.
public enum ConstantTime {
    public static func equal(_ given: String, _ expected: String) -> Bool {
        let left = Array(given.utf8)
        let right = Array(expected.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
