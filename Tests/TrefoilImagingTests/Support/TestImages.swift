import CVips
import Foundation
import TrefoilTestSupport

@testable import TrefoilImaging

// Test images are made and read back with libvips itself. Its option-taking calls are variadic C functions that Swift
// cannot call, so these helpers run its operations by name and set their arguments as GObject properties.

/// An image libvips holds; released with this value.
final class TestImage {
    let pointer: UnsafeMutablePointer<VipsImage>

    init(_ pointer: UnsafeMutablePointer<VipsImage>) { self.pointer = pointer }

    /// 8-bit pixels, `bands` bytes per pixel (grey, grey and alpha, RGB or RGBA), rows top to bottom. `pageHeight` makes it an animation whose frames are
    /// stacked from the top.
    convenience init(width: Int, height: Int, bands: Int, pixels: [UInt8], pageHeight: Int? = nil) {
        startVips()
        precondition(pixels.count == width * height * bands)
        let image = pixels.withUnsafeBytes { bytes in
            vips_image_new_from_memory_copy(
                bytes.baseAddress, bytes.count, Int32(width), Int32(height), Int32(bands), VIPS_FORMAT_UCHAR)!
        }
        // libvips would guess four 8-bit bands to be CMYK.
        image.pointee.Type = bands >= 3 ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_B_W
        if let pageHeight { vips_image_set_int(image, "page-height", Int32(pageHeight)) }
        self.init(image)
    }

    deinit { g_object_unref(pointer) }

    /// Sets the metadata field `name` (libvips' name, e.g. `exif-ifd0-Artist`), written by the savers that carry it.
    func setString(_ name: String, _ value: String) { vips_image_set_string(pointer, name, value) }

    /// Writes the image to `path` with the libvips saver `saver` (`jpegsave`, `pngsave`, `gifsave`, `webpsave`,
    /// `tiffsave`) and its options in libvips' syntax (`Q=90`).
    func save(_ saver: String, to path: String, options: String = "") throws {
        try runOperation(saver, image: pointer, filename: path, options: options, output: false)
    }
}

/// An image file decoded to 8-bit pixels (the first frame of an animation).
struct DecodedImage {
    var width: Int
    var height: Int
    var bands: Int
    /// libvips' loader class, e.g. `VipsForeignLoadJpegFile`.
    var loader: String
    var pixels: [UInt8]

    /// The bands of the pixel at (`x`, `y`).
    func pixel(_ x: Int, _ y: Int) -> [UInt8] {
        let start = (y * width + x) * bands
        return Array(pixels[start..<start + bands])
    }

    /// Decodes `bytes` (written to a file in `directory`, where libvips can read them).
    init(_ bytes: [UInt8], in directory: String) throws {
        let path = "\(directory)/decoded-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try self.init(path: path)
    }

    init(path: String) throws {
        startVips()
        guard let loader = vips_foreign_find_load(path) else { throw VipsCallFailed(message: takeVipsError()) }
        self.loader = String(cString: loader)
        let image = try runOperation(self.loader, image: nil, filename: path, options: "", output: true)!
        defer { g_object_unref(image) }
        guard vips_image_get_format(image) == VIPS_FORMAT_UCHAR, let data = vips_image_get_data(image) else {
            throw VipsCallFailed(message: "not 8-bit pixels: \(takeVipsError())")
        }
        width = Int(vips_image_get_width(image))
        height = Int(vips_image_get_height(image))
        bands = Int(vips_image_get_bands(image))
        pixels = Array(UnsafeRawBufferPointer(start: data, count: width * height * bands))
    }
}

struct VipsCallFailed: Error {
    var message: String
}

/// Pixels that compress like a photograph: smooth colour ramps with grain.
func photoPixels(width: Int, height: Int) -> [UInt8] {
    var noise: UInt32 = 2_463_534_242
    return [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
        var index = 0
        for y in 0..<height {
            for x in 0..<width {
                noise ^= noise << 13
                noise ^= noise >> 17
                noise ^= noise << 5
                let grain = Int(noise & 31) - 16
                buffer[index] = UInt8(clamping: x * 255 / width + grain)
                buffer[index + 1] = UInt8(clamping: y * 255 / height + grain)
                buffer[index + 2] = UInt8(clamping: (x + y) * 255 / (width + height) + grain)
                index += 3
            }
        }
        count = index
    }
}

/// `width` × `height` pixels of one colour (its bands repeated).
func solidPixels(width: Int, height: Int, color: [UInt8]) -> [UInt8] {
    Array([[UInt8]](repeating: color, count: width * height).joined())
}

/// A photo-like JPEG of `width` × `height` at `path`.
func writeJPEG(width: Int, height: Int, to path: String) throws {
    try TestImage(width: width, height: height, bands: 3, pixels: photoPixels(width: width, height: height))
        .save("jpegsave", to: path, options: "Q=85")
}

/// The process's resident set size in bytes, from /proc/self/statm.
func residentBytes() throws -> Int {
    let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
    return Int(fields[1])! * sysconf(Int32(_SC_PAGESIZE))
}

/// Runs the libvips operation `name` with `image` as its `in` and `filename` set, plus `options`; returns its `out`
/// image (retained, for the caller to release) when `output`.
@discardableResult
private func runOperation(
    _ name: String, image: UnsafeMutablePointer<VipsImage>?, filename: String, options: String, output: Bool
) throws -> UnsafeMutablePointer<VipsImage>? {
    guard let created = vips_operation_new(name) else { throw VipsCallFailed(message: takeVipsError()) }
    let object = UnsafeMutableRawPointer(created).assumingMemoryBound(to: GObject.self)
    if let image { setProperty(object, "in", type: vips_image_get_type()) { g_value_set_object(&$0, image) } }
    setProperty(object, "filename", type: g_type_from_name("gchararray")) { g_value_set_string(&$0, filename) }
    // Building may hand back an equal operation from libvips' cache in place of this one.
    var operation: UnsafeMutablePointer<VipsOperation>? = created
    defer {
        if let operation {
            vips_object_unref_outputs(UnsafeMutableRawPointer(operation).assumingMemoryBound(to: VipsObject.self))
            g_object_unref(operation)
        }
    }
    let vipsObject = UnsafeMutableRawPointer(created).assumingMemoryBound(to: VipsObject.self)
    guard options.isEmpty || vips_object_set_from_string(vipsObject, options) == 0,
        vips_cache_operation_buildp(&operation) == 0, let built = operation
    else { throw VipsCallFailed(message: takeVipsError()) }
    guard output else { return nil }
    var value = GValue()
    g_value_init(&value, vips_image_get_type())
    defer { g_value_unset(&value) }
    g_object_get_property(UnsafeMutableRawPointer(built).assumingMemoryBound(to: GObject.self), "out", &value)
    return g_value_dup_object(&value)?.assumingMemoryBound(to: VipsImage.self)
}

private func setProperty(
    _ object: UnsafeMutablePointer<GObject>, _ name: String, type: GType, _ set: (inout GValue) -> Void
) {
    var value = GValue()
    g_value_init(&value, type)
    set(&value)
    g_object_set_property(object, name, &value)
    g_value_unset(&value)
}

private func takeVipsError() -> String {
    guard let copy = vips_error_buffer_copy() else { return "" }
    defer { g_free(copy) }
    return String(cString: copy)
}

/// libvips started as `Thumbnailer` starts it (once, for the whole process: two threads starting it at once crash it).
private func startVips() {
    if case .failure(let error) = Vips.started { preconditionFailure("libvips did not start: \(error)") }
}
