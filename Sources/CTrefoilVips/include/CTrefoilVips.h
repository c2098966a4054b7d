#ifndef CTREFOIL_VIPS_H
#define CTREFOIL_VIPS_H

// The libvips calls Swift cannot make: VIPS_INIT is a macro, and the calls that take options are variadic C
// functions, which Swift does not import. Each wrapper fixes the options Trefoil uses.

// libvips' own header belongs to the CVips module; included here as well, this module would own its declarations
// too, and Swift files importing only CVips would lose sight of its enum constants. C merges these forward
// declarations with CVips' definitions: Swift sees one VipsImage.
#include <stddef.h>

struct _VipsImage;
struct _VipsSource;

/// Starts libvips for the process and sets what Trefoil needs of it: no operation cache, one libvips worker per
/// call, untrusted loaders blocked, libvips' warnings kept off stderr. Call once; 0, or -1 with the reason in
/// libvips' error buffer.
int ctrefoil_vips_start(void);

/// The image in `source` with its header read and no pixel decoded yet (sequential access; damaged pixel data
/// fails instead of being filled in). NULL on failure.
struct _VipsImage *ctrefoil_vips_header(struct _VipsSource *source);

/// `source` shrunk on load and resized to fit `width` × `height`, aspect ratio kept, never enlarged, turned upright
/// by its EXIF orientation; damaged pixel data fails. The pixels are decoded when `*out` is saved. 0 or -1.
int ctrefoil_vips_thumbnail(struct _VipsSource *source, int width, int height, struct _VipsImage **out);

/// `image` as a JPEG of `quality` (1-100) without metadata, in a buffer to release with g_free. 0 or -1.
int ctrefoil_vips_jpegsave(struct _VipsImage *image, int quality, void **bytes, size_t *length);

/// `image` as a PNG without metadata, in a buffer to release with g_free. 0 or -1.
int ctrefoil_vips_pngsave(struct _VipsImage *image, void **bytes, size_t *length);

#endif
