import Foundation
import NIOCore

/// One validated http(s) URL: everything needed to resolve, connect and write the request line.
struct FetchTarget: Sendable, Equatable {
    /// The URL as fetched, with punycode host and without fragment handling.
    let url: URL
    /// True for https.
    let isTLS: Bool
    /// Lowercased host name or IP literal, without IPv6 brackets.
    let host: String
    /// Explicit or default port.
    let port: Int
    /// Set when the host is an IP literal, which skips DNS and SNI.
    let literalAddress: SocketAddress?
    /// Origin-form request target: path plus query, never empty.
    let requestTarget: String
    /// The percent-encoded path, used for the fallback file name.
    let percentEncodedPath: String

    /// Parses and validates a caller-supplied URL string.
    init(parsing string: String) throws(FetchError) {
        let trimmed = string.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let url = URL(string: Self.encodingUnsafeBytes(trimmed)) else {
            throw .refused("\"\(Self.abbreviated(string))\" is not a valid URL")
        }
        try self.init(url: url)
    }

    /// Validates an absolute URL.
    init(url: URL) throws(FetchError) {
        // Round-tripping through URL first gives a punycode host for internationalised names.
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: true) else {
            throw .refused("\"\(Self.abbreviated(url.absoluteString))\" is not a valid URL")
        }
        let scheme = components.scheme?.lowercased() ?? ""
        guard scheme == "http" || scheme == "https" else {
            throw .refused("only http and https URLs can be fetched, not \"\(scheme.isEmpty ? "(none)" : scheme)\"")
        }
        guard components.user == nil, components.password == nil else {
            throw .refused("URLs with a user name or password are not fetched")
        }
        guard var host = components.host?.lowercased(), !host.isEmpty else {
            throw .refused("the URL has no host")
        }
        var literal: SocketAddress?
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            guard let address = try? SocketAddress(ipAddress: host, port: 0), case .v6 = address else {
                throw .refused("\"\(Self.abbreviated(host))\" is not a valid IPv6 address")
            }
            literal = address
        } else {
            // A decoded host may contain anything (even CR LF); only plain DNS names and IPv4 literals go further.
            let allowed = host.utf8.allSatisfy { byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E
                    || byte == 0x5F
            }
            guard allowed else { throw .refused("\"\(Self.abbreviated(host))\" is not a valid host name") }
            if let address = try? SocketAddress(ipAddress: host, port: 0), case .v4 = address {
                literal = address
            }
        }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { throw .refused("port \(port) is not valid") }
        if var address = literal {
            address.port = port
            literal = address
        }

        self.url = url
        self.isTLS = scheme == "https"
        self.host = host
        self.port = port
        self.literalAddress = literal
        self.percentEncodedPath = components.percentEncodedPath
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        // The request line must never carry spaces or control bytes, whatever Foundation let through.
        self.requestTarget = Self.encodingUnsafeBytes(target)
    }

    /// The value of the Host header: IPv6 literals bracketed, port only when not the scheme's default.
    var hostHeader: String {
        let name = self.host.contains(":") ? "[\(self.host)]" : self.host
        let defaultPort = self.isTLS ? 443 : 80
        return self.port == defaultPort ? name : "\(name):\(self.port)"
    }

    /// Scheme, host and port; credentials-like headers are not carried across a change of origin.
    var origin: String { "\(self.isTLS ? "https" : "http")://\(self.hostHeader)" }

    /// `host:port` for messages, bracketing IPv6.
    var authority: String {
        let name = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "\(name):\(self.port)"
    }

    /// Resolves a redirect's Location (absolute or relative) against this URL and validates the result.
    func redirected(to location: String) throws(FetchError) -> FetchTarget {
        guard let next = URL(string: Self.encodingUnsafeBytes(location), relativeTo: self.url)?.absoluteURL else {
            throw .failed("redirect to an invalid location \"\(Self.abbreviated(location))\"")
        }
        return try FetchTarget(url: next)
    }

    /// Percent-encodes bytes that may not appear raw in a URL or request line, leaving existing escapes intact.
    static func encodingUnsafeBytes(_ string: String) -> String {
        guard string.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else { return string }
        var result = ""
        result.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            if byte <= 0x20 || byte >= 0x7F {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            } else {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return result
    }

    /// Keeps hostile input from flooding error messages.
    static func abbreviated(_ string: String) -> String {
        string.count > 200 ? String(string.prefix(200)) + "…" : string
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        self.count >= width ? self : String(repeating: "0", count: width - self.count) + self
    }
}
