import CTrefoilVips
import CVips

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The libvips work behind `Thumbnailer`, synchronous: each call blocks its thread while it reads and decodes.
enum Vips {
    /// The loaders Trefoil accepts, by libvips nickname (stable across libvips versions, unlike class names).
    private static let formats: [String: ImageFormat] = [
        "jpegload_source": .jpeg, "pngload_source": .png, "gifload_source": .gif, "webpload_source": .webp,
    ]

    static func probe(path: String) -> Result<ImageInfo, ImagingError> {
        withHeader(path: path) { _, header, format in .success(Self.info(header, format)) }
    }

    static func thumbnail(path: String, width: Int, height: Int, limits: ImageLimits) -> Result<Thumbnail, ImagingError>
    {
        guard width >= 1, height >= 1 else {
            return .failure(.failed("a thumbnail must be at least 1 × 1 pixels, not \(width) × \(height)"))
        }
        return withHeader(path: path) { source, header, format in
            let info = Self.info(header, format)
            guard fits(info, within: limits) else {
                return .failure(.tooManyPixels(width: info.width, height: info.height))
            }
            var image: UnsafeMutablePointer<VipsImage>?
            guard ctrefoil_vips_thumbnail(source, Int32(clamping: width), Int32(clamping: height), &image) == 0,
                let image
            else { return .failure(.failed(takeError())) }
            defer { g_object_unref(image) }
            return encode(image)
        }
    }

    /// Opens `path`, identifies it and reads its header, then hands them to `body`; releases everything afterwards.
    private static func withHeader<T>(
        path: String,
        _ body: (UnsafeMutablePointer<VipsSource>, UnsafeMutablePointer<VipsImage>, ImageFormat) -> Result<
            T, ImagingError
        >
    ) -> Result<T, ImagingError> {
        if case .failure(let error) = started { return .failure(error) }
        // Opened here rather than by libvips: a FIFO at the path would block its open, its file name functions read
        // a trailing `[...]` as load options, and its message for a missing file could be taken by another thread.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            return .failure(.failed("cannot open \(path): \(String(cString: strerror(errno)))"))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            return .failure(.failed("\(path) is not a regular file"))
        }
        // The source reads through its own duplicate of the descriptor.
        guard let source = vips_source_new_from_descriptor(descriptor) else {
            return .failure(.failed(takeError()))
        }
        defer { g_object_unref(source) }
        guard let loader = vips_foreign_find_load_source(source),
            let nickname = vips_nickname_find(g_type_from_name(loader)),
            let format = formats[String(cString: nickname)]
        else {
            // libvips said "not in a known format", which `.notAnImage` says already.
            _ = takeError()
            return .failure(.notAnImage)
        }
        guard let header = ctrefoil_vips_header(source) else { return .failure(.failed(takeError())) }
        defer { g_object_unref(header) }
        return body(source, header, format)
    }

    private static func info(_ header: UnsafeMutablePointer<VipsImage>, _ format: ImageFormat) -> ImageInfo {
        ImageInfo(
            width: Int(vips_image_get_width(header)), height: Int(vips_image_get_height(header)), format: format,
            hasAlpha: vips_image_hasalpha(header) != 0)
    }

    /// Only the first frame of an animation is decoded (a thumbnail is of the first frame), so only its pixels
    /// count: an animated sticker of many small frames is thumbnailed like its first frame.
    private static func fits(_ info: ImageInfo, within limits: ImageLimits) -> Bool {
        let (pixels, overflow) = Int64(info.width).multipliedReportingOverflow(by: Int64(info.height))
        return !overflow && pixels <= limits.maxPixels
    }

    /// Decodes and encodes `image`: PNG when it has transparency to keep, else JPEG.
    private static func encode(_ image: UnsafeMutablePointer<VipsImage>) -> Result<Thumbnail, ImagingError> {
        let hasAlpha = vips_image_hasalpha(image) != 0
        var bytes: UnsafeMutableRawPointer?
        var length = 0
        let saved =
            hasAlpha
            ? ctrefoil_vips_pngsave(image, &bytes, &length) : ctrefoil_vips_jpegsave(image, 80, &bytes, &length)
        guard saved == 0, let bytes else { return .failure(.failed(takeError())) }
        defer { g_free(bytes) }
        return .success(
            Thumbnail(
                bytes: Array(UnsafeRawBufferPointer(start: bytes, count: length)),
                mediaType: hasAlpha ? "image/png" : "image/jpeg", width: Int(vips_image_get_width(image)),
                height: Int(vips_image_get_height(image))))
    }

    /// libvips' error text, cleared; read only after a call failed. In libvips 8.14 the buffer is one for the whole
    /// process, not one per thread: a call failing beside another may also read that one's message, or find its own
    /// already taken. Whether a call failed is known from its return value; the text only explains it.
    private static func takeError() -> String {
        guard let copy = vips_error_buffer_copy() else { return "libvips failed without a message" }
        defer { g_free(copy) }
        let lines = String(cString: copy).split(whereSeparator: \.isNewline)
        return lines.isEmpty ? "libvips failed without a message" : lines.joined(separator: "; ")
    }

    /// libvips started for the process, once, on first use. Everything in the process that uses libvips goes through
    /// this: vips_init is not safe to call from two threads at once.
    static let started: Result<Void, ImagingError> = {
        ctrefoil_vips_start() == 0 ? .success(()) : .failure(.failed("libvips did not start: \(takeError())"))
    }()
}
