import NIOCore
import NIOSSL
import Testing

@testable import TrefoilServer

@Suite("SafeFetcher TLS", .timeLimit(.minutes(3)))
struct SafeFetcherTLSTests {
    // A throwaway test CA and a localhost/127.0.0.1 leaf it signed, valid 2000-2100; test use only.
    private static let authorityPEM = """
        -----BEGIN CERTIFICATE-----
        MIIBbjCCARWgAwIBAgIBATAKBggqhkjOPQQDAjAeMRwwGgYDVQQDDBNTYWZlRmV0
        Y2hlciBUZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAe
        MRwwGgYDVQQDDBNTYWZlRmV0Y2hlciBUZXN0IENBMFkwEwYHKoZIzj0CAQYIKoZI
        zj0DAQcDQgAEVdtv16kkkESmAX7QmfXnhodUh4LEDxGuzzwsSD9l3oTp/NhT+blc
        kw0fRom6nojmbvlQgpmqqitiDfU68K+pj6NCMEAwDwYDVR0TAQH/BAUwAwEB/zAO
        BgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFHWbPBImQ0vrkMg1bKuufKzYwizeMAoG
        CCqGSM49BAMCA0cAMEQCIF82a1z08Cm36geHOEADnoiNPipgqJyPToAzFxUBRrQO
        AiACnjAQk/T9JY/2sI6e1jn2foqxhV03DoGzLmdE+E3yfQ==
        -----END CERTIFICATE-----
        """
    // The server certificate: SAN DNS:localhost and IP:127.0.0.1.
    private static let leafPEM = """
        -----BEGIN CERTIFICATE-----
        MIIBtzCCAVygAwIBAgIBAjAKBggqhkjOPQQDAjAeMRwwGgYDVQQDDBNTYWZlRmV0
        Y2hlciBUZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAU
        MRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATc
        KYhKVFZQqc7xEOWrwCuXG4E/R6pOcaybQbe3VgPP+kcidIGu+w/WaIizAVNa7g6l
        q4FiXzG8XIYPbcHdK38vo4GSMIGPMBoGA1UdEQQTMBGCCWxvY2FsaG9zdIcEfwAA
        ATAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDATBgNVHSUEDDAKBggrBgEF
        BQcDATAdBgNVHQ4EFgQUSz/DqmFuku4nY06ZhO3iBb3tes8wHwYDVR0jBBgwFoAU
        dZs8EiZDS+uQyDVsq658rNjCLN4wCgYIKoZIzj0EAwIDSQAwRgIhAJLIMPqttF9/
        qIFtpFULvSriBDTYoYkFSCV/7CuYtFrDAiEA0Xar4PBAzVEJWw0LTKb8sKE5WYsl
        blDtBIqXdBTuQZU=
        -----END CERTIFICATE-----
        """
    // The server certificate's private key.
    private static let leafKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgioum1MC0LOFHfbcT
        2eGEoOLNH6Wpg5LIKrji2kLZNMWhRANCAATcKYhKVFZQqc7xEOWrwCuXG4E/R6pO
        caybQbe3VgPP+kcidIGu+w/WaIizAVNa7g6lq4FiXzG8XIYPbcHdK38v
        -----END PRIVATE KEY-----
        """

    private static let response = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecret"

    private func serverContext() throws -> NIOSSLContext {
        let certificate = try NIOSSLCertificate(bytes: Array(Self.leafPEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(Self.leafKeyPEM.utf8), format: .pem)
        return try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: [.certificate(certificate)], privateKey: .privateKey(key)))
    }

    private func trustingFetcher() throws -> SafeFetcher {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(Self.authorityPEM.utf8), format: .pem)])
        return SafeFetcher(
            configuration: .init(timeout: .seconds(10), allowPrivateNetworks: true),
            eventLoopGroup: .singletonMultiThreadedEventLoopGroup, tlsConfiguration: tls)
    }

    @Test("https verifies the certificate against the host name used for SNI")
    func httpsWithTrustedCertificate() async throws {
        let fetcher = try self.trustingFetcher()
        try await withScriptedServer(script: Self.response, tls: try self.serverContext()) { port in
            let response = try await fetcher.get("https://localhost:\(port)/doc")
            let text = String(buffer: try await response.body.collect())
            #expect(text == "secret")
        }
    }

    @Test("https to an IP literal verifies the certificate against the address")
    func httpsToIPLiteral() async throws {
        let fetcher = try self.trustingFetcher()
        try await withScriptedServer(script: Self.response, tls: try self.serverContext()) { port in
            let response = try await fetcher.get("https://127.0.0.1:\(port)/doc")
            let text = String(buffer: try await response.body.collect())
            #expect(text == "secret")
        }
    }

    @Test("https to a server whose certificate is not trusted fails with a TLS error")
    func httpsWithUntrustedCertificate() async throws {
        let fetcher = makeTestFetcher(allowPrivateNetworks: true)
        try await withScriptedServer(script: Self.response, tls: try self.serverContext()) { port in
            let error = await fetchError { try await fetcher.get("https://localhost:\(port)/doc") }
            guard case .failed(let message) = error else {
                Issue.record("expected .failed, got \(String(describing: error))")
                return
            }
            #expect(message.contains("TLS"))
        }
    }
}
