/// What an uploader asked of a file besides its bytes and name; every face reads the same options.
public struct FileOptions: Sendable, Equatable {
    /// Downloads of the file must present its access secret (`LinkSigner.accessSecret(for:)`).
    public var secretRequired: Bool
    /// The box the uploader asked previews of the file to fit; nil when they asked for none (a face then uses its
    /// own default).
    public var previewBox: PreviewBox?

    public init(secretRequired: Bool = false, previewBox: PreviewBox? = nil) {
        self.secretRequired = secretRequired
        self.previewBox = previewBox
    }
}

/// A width and a height in pixels, each 1 to `PreviewBox.maxSide`.
public struct PreviewBox: Sendable, Equatable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The largest side the store keeps: a preview is small by nature, and a bound keeps a box from asking for a
    /// huge image.
    public static let maxSide = 10_000
}

extension FileOptions {
    /// Refuses options the store cannot keep: a preview box side outside 1...`PreviewBox.maxSide`.
    func check() throws(TrefoilError) {
        guard let box = previewBox else { return }
        let sides = 1...PreviewBox.maxSide
        guard sides.contains(box.width), sides.contains(box.height) else {
            throw .invalid(
                .previewBox, "width and height must be 1 to \(PreviewBox.maxSide), got \(box.width) × \(box.height)")
        }
    }
}
