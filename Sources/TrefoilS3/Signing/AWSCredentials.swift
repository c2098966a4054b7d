/// The keys a request to an S3-compatible service is signed with.
public struct AWSCredentials: Sendable, Equatable {
    public var accessKeyID: String
    /// A secret: never logged, never part of a description.
    public var secretAccessKey: String
    /// The token of temporary credentials, when there is one (`X-Amz-Security-Token`).
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

extension AWSCredentials: CustomStringConvertible {
    public var description: String { "AWSCredentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>)" }
}
