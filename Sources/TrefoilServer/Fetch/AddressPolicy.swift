import NIOCore

/// Decides which IP addresses a fetch may connect to, so user-supplied URLs cannot reach internal or special networks.
public struct AddressPolicy: Sendable {
    /// A special-purpose address block, named so refusals can say exactly why an address was refused.
    public struct SpecialRange: Sendable, Equatable, CustomStringConvertible {
        /// The block in CIDR notation, e.g. `127.0.0.0/8`.
        public let cidr: String
        /// What the block is for, e.g. `loopback`.
        public let purpose: String

        /// The block and its purpose, e.g. `127.0.0.0/8 (loopback)`.
        public var description: String { "\(cidr) (\(purpose))" }
    }

    /// The outcome of classifying one address.
    public enum Verdict: Sendable, Equatable {
        /// The address may be connected to.
        case allowed
        /// The address lies in a special range and private networks are not allowed.
        case refused(SpecialRange)
    }

    /// When true, every address is allowed.
    public var allowPrivateNetworks: Bool

    /// Textual addresses treated as public. Tests can only reach loopback, so this is how they exercise the checks.
    var allowList: Set<String> = []

    /// Creates a policy; by default every special-range address is refused.
    public init(allowPrivateNetworks: Bool = false) {
        self.allowPrivateNetworks = allowPrivateNetworks
    }

    /// Classifies a socket address; anything that is not IPv4 or IPv6 is refused.
    public func classify(_ address: SocketAddress) -> Verdict {
        guard let bytes = Self.addressBytes(of: address) else {
            return self.allowPrivateNetworks
                ? .allowed : .refused(SpecialRange(cidr: "non-IP", purpose: "not an IP address"))
        }
        return self.classify(bytes: bytes)
    }

    /// Classifies a raw address of 4 (IPv4) or 16 (IPv6) bytes in network order; other lengths are refused.
    public func classify(bytes: [UInt8]) -> Verdict {
        if self.allowPrivateNetworks { return .allowed }
        if !self.allowList.isEmpty, let text = Self.text(of: bytes), self.allowList.contains(text) { return .allowed }
        guard bytes.count == 4 || bytes.count == 16 else {
            return .refused(SpecialRange(cidr: "non-IP", purpose: "not an IP address"))
        }
        if let range = Self.specialRange(of: bytes) { return .refused(range) }
        return .allowed
    }

    /// The special range an address falls in regardless of the setting, or nil for an ordinary public address.
    public static func specialRange(of bytes: [UInt8]) -> SpecialRange? {
        switch bytes.count {
        case 4: return self.specialIPv4Range(of: bytes)
        case 16: return self.specialIPv6Range(of: bytes)
        default: return SpecialRange(cidr: "non-IP", purpose: "not an IP address")
        }
    }

    /// The raw network-order bytes of an IP socket address.
    static func addressBytes(of address: SocketAddress) -> [UInt8]? {
        switch address {
        case .v4(let v4):
            let raw = v4.address.sin_addr
            return withUnsafeBytes(of: raw) { Array($0) }
        case .v6(let v6):
            let raw = v6.address.sin6_addr
            return withUnsafeBytes(of: raw) { Array($0) }
        case .unixDomainSocket:
            return nil
        }
    }

    /// The conventional text form of raw address bytes, as used by the allow list.
    static func text(of bytes: [UInt8]) -> String? {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        return (try? SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: 0))?.ipAddress
    }
}

extension AddressPolicy {
    private struct Block: Sendable {
        let prefix: [UInt8]
        let length: Int
        let range: SpecialRange

        init(_ prefix: [UInt8], _ length: Int, _ cidr: String, _ purpose: String) {
            self.prefix = prefix
            self.length = length
            self.range = SpecialRange(cidr: cidr, purpose: purpose)
        }

        func contains(_ bytes: [UInt8]) -> Bool {
            var remaining = self.length
            for index in 0..<self.prefix.count where remaining > 0 {
                let bits = min(remaining, 8)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if bytes[index] & mask != self.prefix[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    // Most specific first: 255.255.255.255 would otherwise be reported as 240.0.0.0/4.
    private static let ipv4Blocks: [Block] = [
        Block([255, 255, 255, 255], 32, "255.255.255.255/32", "limited broadcast"),
        Block([0], 8, "0.0.0.0/8", "this network"),
        Block([10], 8, "10.0.0.0/8", "private network"),
        Block([100, 64], 10, "100.64.0.0/10", "shared address space"),
        Block([127], 8, "127.0.0.0/8", "loopback"),
        Block([169, 254], 16, "169.254.0.0/16", "link-local"),
        Block([172, 16], 12, "172.16.0.0/12", "private network"),
        Block([192, 0, 0], 24, "192.0.0.0/24", "IETF protocol assignments"),
        Block([192, 0, 2], 24, "192.0.2.0/24", "documentation"),
        Block([192, 88, 99], 24, "192.88.99.0/24", "6to4 relay anycast"),
        Block([192, 168], 16, "192.168.0.0/16", "private network"),
        Block([198, 18], 15, "198.18.0.0/15", "benchmarking"),
        Block([198, 51, 100], 24, "198.51.100.0/24", "documentation"),
        Block([203, 0, 113], 24, "203.0.113.0/24", "documentation"),
        Block([224], 4, "224.0.0.0/4", "multicast"),
        Block([240], 4, "240.0.0.0/4", "reserved"),
    ]

    private static let ipv6Blocks: [Block] = [
        Block(Array(repeating: 0, count: 16), 128, "::/128", "unspecified"),
        Block(Array(repeating: 0, count: 15) + [1], 128, "::1/128", "loopback"),
        Block([0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, "100::/64", "discard-only"),
        Block([0x20, 0x01, 0x0d, 0xb8], 32, "2001:db8::/32", "documentation"),
        Block([0x20, 0x01, 0x00], 23, "2001::/23", "IETF protocol assignments"),
        Block([0xfc], 7, "fc00::/7", "unique local"),
        Block([0xfe, 0x80], 10, "fe80::/10", "link-local"),
        Block([0xfe, 0xc0], 10, "fec0::/10", "deprecated site-local"),
        Block([0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, "64:ff9b:1::/48", "local-use NAT64"),
        Block(Array(repeating: 0, count: 12), 96, "::/96", "deprecated IPv4-compatible"),
        Block([0xff], 8, "ff00::/8", "multicast"),
    ]

    // These IPv6 forms carry an IPv4 address that decides where the packets really go.
    private static let ipv4Mapped = Block(
        Array(repeating: 0, count: 10) + [0xff, 0xff], 96, "::ffff:0:0/96", "IPv4-mapped")
    private static let nat64 = Block(
        [0x00, 0x64, 0xff, 0x9b] + Array(repeating: 0, count: 8), 96, "64:ff9b::/96", "NAT64")
    private static let sixToFour = Block([0x20, 0x02], 16, "2002::/16", "6to4")

    private static func specialIPv4Range(of bytes: [UInt8]) -> SpecialRange? {
        self.ipv4Blocks.first { $0.contains(bytes) }?.range
    }

    private static func specialIPv6Range(of bytes: [UInt8]) -> SpecialRange? {
        for (block, embedded) in [(self.ipv4Mapped, 12..<16), (self.nat64, 12..<16), (self.sixToFour, 2..<6)]
        where block.contains(bytes) {
            guard let inner = self.specialIPv4Range(of: Array(bytes[embedded])) else { return nil }
            return SpecialRange(cidr: inner.cidr, purpose: "\(inner.purpose), embedded in \(block.range)")
        }
        return self.ipv6Blocks.first { $0.contains(bytes) }?.range
    }
}
