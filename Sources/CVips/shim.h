#ifndef CVIPS_SHIM_H
#define CVIPS_SHIM_H

// libvips and, through it, the GLib and GObject calls its callers need (g_free, g_object_unref, GValue).
#include <vips/vips.h>

#endif
