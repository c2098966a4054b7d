#ifndef CTREFOIL_BASE64_H
#define CTREFOIL_BASE64_H

#include <stddef.h>
#include <stdint.h>

/// Encodes the longest prefix of `input` that the vector loop takes (whole groups of 24 bytes, while 28 remain to be
/// read) into `output` as standard base64, 32 characters per group; returns how many input bytes it took (0 where
/// the processor has no AVX2). The caller encodes the rest, padding included.
size_t CTrefoilBase64_encodeBlocks(const uint8_t *input, size_t count, uint8_t *output);

/// Decodes the longest prefix of `input` made of whole blocks of 32 standard base64 characters (no padding, no
/// other byte) into `output`, 24 bytes per block; returns how many characters it took (0 where the processor has no
/// AVX2). The caller decodes the rest, and reports any byte that is not base64.
size_t CTrefoilBase64_decodeBlocks(const uint8_t *input, size_t count, uint8_t *output);

#endif
