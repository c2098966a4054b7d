import NIOCore
import Testing

@testable import TrefoilServer

@Suite("AddressPolicy")
struct AddressPolicyTests {
    private func verdict(_ text: String, policy: AddressPolicy = AddressPolicy()) throws -> AddressPolicy.Verdict {
        policy.classify(try SocketAddress(ipAddress: text, port: 80))
    }

    @Test(
        "Addresses in every special-purpose range are refused, naming the range",
        arguments: [
            ("0.0.0.0", "0.0.0.0/8"), ("0.255.1.2", "0.0.0.0/8"),
            ("10.0.0.1", "10.0.0.0/8"), ("10.255.255.255", "10.0.0.0/8"),
            ("100.64.0.1", "100.64.0.0/10"), ("100.127.255.254", "100.64.0.0/10"),
            ("127.0.0.1", "127.0.0.0/8"), ("127.255.0.9", "127.0.0.0/8"),
            ("169.254.169.254", "169.254.0.0/16"),
            ("172.16.0.1", "172.16.0.0/12"), ("172.31.255.255", "172.16.0.0/12"),
            ("192.0.0.8", "192.0.0.0/24"), ("192.0.2.1", "192.0.2.0/24"), ("192.88.99.1", "192.88.99.0/24"),
            ("192.168.1.1", "192.168.0.0/16"),
            ("198.18.0.1", "198.18.0.0/15"), ("198.19.255.255", "198.18.0.0/15"),
            ("198.51.100.7", "198.51.100.0/24"), ("203.0.113.200", "203.0.113.0/24"),
            ("224.0.0.1", "224.0.0.0/4"), ("239.255.255.250", "224.0.0.0/4"),
            ("240.0.0.1", "240.0.0.0/4"), ("255.255.255.254", "240.0.0.0/4"),
            ("255.255.255.255", "255.255.255.255/32"),
            ("::", "::/128"), ("::1", "::1/128"),
            ("100::1", "100::/64"), ("2001:db8::1", "2001:db8::/32"), ("2001:db8:ffff::1", "2001:db8::/32"),
            ("2001::1", "2001::/23"), ("2001:1ff::1", "2001::/23"), ("2001:2::1", "2001::/23"),
            ("fec0::1", "fec0::/10"), ("64:ff9b:1::a00:1", "64:ff9b:1::/48"), ("::8.8.8.8", "::/96"),
            ("fc00::1", "fc00::/7"), ("fd12:3456::1", "fc00::/7"),
            ("fe80::1", "fe80::/10"), ("febf::1", "fe80::/10"),
            ("ff02::1", "ff00::/8"), ("ff05::2", "ff00::/8"),
        ])
    func refusesSpecialRanges(address: String, cidr: String) throws {
        let verdict = try self.verdict(address)
        guard case .refused(let range) = verdict else {
            Issue.record("\(address) was allowed")
            return
        }
        #expect(range.cidr == cidr)
    }

    @Test(
        "Ordinary public addresses are allowed",
        arguments: [
            "8.8.8.8", "1.1.1.1", "9.9.9.9", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
            "192.0.1.1", "192.169.0.1", "198.17.255.255", "198.20.0.0", "223.255.255.255",
            "2606:4700::1111", "2001:4860:4860::8888", "2001:200::1", "2a00:1450:4001::1",
        ])
    func allowsPublicAddresses(address: String) throws {
        #expect(try self.verdict(address) == .allowed)
    }

    @Test(
        "IPv4-mapped, NAT64 and 6to4 addresses are judged by the IPv4 address they embed",
        arguments: [
            ("::ffff:127.0.0.1", "127.0.0.0/8"), ("::ffff:10.1.2.3", "10.0.0.0/8"), ("::ffff:8.8.8.8", nil),
            ("64:ff9b::192.168.0.1", "192.168.0.0/16"), ("64:ff9b::169.254.169.254", "169.254.0.0/16"),
            ("64:ff9b::1.1.1.1", nil),
            ("2002:7f00:1::1", "127.0.0.0/8"), ("2002:a00:1::", "10.0.0.0/8"), ("2002:808:808::1", nil),
        ] as [(String, String?)])
    func judgesEmbeddedIPv4(address: String, cidr: String?) throws {
        let verdict = try self.verdict(address)
        if let cidr {
            guard case .refused(let range) = verdict else {
                Issue.record("\(address) was allowed")
                return
            }
            #expect(range.cidr == cidr)
            #expect(range.purpose.contains("embedded"))
        } else {
            #expect(verdict == .allowed)
        }
    }

    @Test("With private networks allowed, every address is allowed")
    func allowPrivateNetworksAllowsEverything() throws {
        let policy = AddressPolicy(allowPrivateNetworks: true)
        for address in ["127.0.0.1", "10.0.0.1", "::1", "fe80::1", "::ffff:192.168.1.1"] {
            #expect(try self.verdict(address, policy: policy) == .allowed)
        }
    }

    @Test("The test allow list lets exactly the listed addresses through")
    func allowListIsExact() throws {
        var policy = AddressPolicy()
        policy.allowList = ["127.0.0.1"]
        #expect(try self.verdict("127.0.0.1", policy: policy) == .allowed)
        #expect(try self.verdict("127.0.0.2", policy: policy) != .allowed)
    }

    @Test("Raw bytes of the wrong length are refused")
    func refusesOddLengths() {
        #expect(AddressPolicy().classify(bytes: [1, 2, 3]) != .allowed)
        #expect(AddressPolicy().classify(bytes: [8, 8, 8, 8]) == .allowed)
    }
}
