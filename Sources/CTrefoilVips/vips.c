#include <vips/vips.h>

#include "CTrefoilVips.h"

/// Drops libvips' warnings, which it prints to stderr: a damaged upload makes one per tile. What fails a call reaches
/// the caller through its error message.
static void ctrefoil_vips_drop_warning(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
    (void)domain, (void)level, (void)message, (void)data;
}

int ctrefoil_vips_start(void) {
    if (VIPS_INIT("trefoil"))
        return -1;
    // The operation cache keeps recent operations with their open files and decoded pixels; every thumbnail is of
    // a different file, so it would only hold memory.
    vips_cache_set_max(0);
    // Trefoil bounds how many thumbnails run at once; libvips' own worker threads per call would multiply that
    // bound (a 12 MP JPEG thumbnail took the same time with one worker as with two).
    vips_concurrency_set(1);
    // Loaders libvips marks untrusted (ImageMagick, PDF, ...) are not fit for files from the network.
    vips_block_untrusted_set(TRUE);
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, ctrefoil_vips_drop_warning, NULL);
    return 0;
}

VipsImage *ctrefoil_vips_header(VipsSource *source) {
    return vips_image_new_from_source(
        source, "", "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
}

int ctrefoil_vips_thumbnail(VipsSource *source, int width, int height, VipsImage **out) {
    // libvips 8.14 does not hand vips_thumbnail_source's own fail_on to the loader (a truncated JPEG came out
    // padded with grey), so the loader gets it through the option string as well.
    return vips_thumbnail_source(
        source, out, width, "height", height, "size", VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_ERROR,
        "option_string", "fail_on=error", NULL);
}

int ctrefoil_vips_jpegsave(VipsImage *image, int quality, void **bytes, size_t *length) {
    return vips_jpegsave_buffer(image, bytes, length, "Q", quality, "strip", TRUE, NULL);
}

int ctrefoil_vips_pngsave(VipsImage *image, void **bytes, size_t *length) {
    return vips_pngsave_buffer(image, bytes, length, "strip", TRUE, NULL);
}
