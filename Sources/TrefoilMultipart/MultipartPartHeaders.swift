/// One header line of a part, as sent.
public struct MultipartHeaderField: Sendable, Equatable {
    /// The header name in the case the client used.
    public var name: String
    /// The value with surrounding spaces and tabs removed.
    public var value: String

    /// Makes a field from a name and value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The headers of one part, with the form-data ones already picked out.
public struct MultipartPartHeaders: Sendable, Equatable {
    /// The form field name from Content-Disposition.
    public var name: String?
    /// The client's file name from Content-Disposition (filename* preferred); unsanitised, may hold a path.
    public var filename: String?
    /// The part's Content-Type value, if any.
    public var contentType: String?
    /// Every header line of the part, in order.
    public var fields: [MultipartHeaderField]

    /// Derives name, filename and content type from the raw header lines.
    public init(fields: [MultipartHeaderField]) {
        self.fields = fields
        contentType = Self.firstValue(named: "content-type", in: fields)
        if let disposition = Self.firstValue(named: "content-disposition", in: fields) {
            let parsed = MultipartHeaderValue(disposition)
            name = parsed.parameter("name")
            filename =
                parsed.parameter("filename*").flatMap(MultipartHeaderValue.decodeExtendedValue)
                ?? parsed.parameter("filename")
        }
    }

    /// The first value of the named header (case-insensitive), if present.
    public func value(of headerName: String) -> String? {
        Self.firstValue(named: headerName.lowercased(), in: fields)
    }

    private static func firstValue(named lowercasedName: String, in fields: [MultipartHeaderField]) -> String? {
        fields.first { $0.name.lowercased() == lowercasedName }?.value
    }
}
