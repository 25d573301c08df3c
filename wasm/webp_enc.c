// The gateway's WebP encoder: a thin shim over libwebp's WebPEncode. Only
// pixels go in, so no metadata chunk can come out. Every pointer and length
// passed in is checked by the TypeScript adapter (src/codecs/) first.
#include <stdint.h>
#include <stdlib.h>

#include "src/webp/encode.h"

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("alloc") void* shim_alloc(size_t size) { return malloc(size); }
EXPORT("free") void shim_free(void* ptr) { free(ptr); }

// libwebp's encoder version, 0xMMmmpp (0x010500 for 1.5.0).
EXPORT("version") int shim_version(void) { return WebPGetEncoderVersion(); }

// Imports `width`×`height` RGBA pixels, `stride` bytes per row, into a new
// WebPPicture (YUV 4:2:0, plus an alpha plane when `keep_alpha`; otherwise the
// fourth byte is ignored, as WebPPictureImportRGBX does, so the caller hands
// over its RGBA frame with one copy). The caller may free `pixels` right
// after, so the encoder's heap reuses that memory. Returns the picture, or
// NULL when out of memory or the arguments are invalid.
EXPORT("picture")
WebPPicture* shim_picture(const uint8_t* pixels, int width, int height, int stride, int keep_alpha) {
  WebPPicture* picture = malloc(sizeof(WebPPicture));
  if (picture == NULL) return NULL;
  if (!WebPPictureInit(picture)) {
    free(picture);
    return NULL;
  }
  picture->width = width;
  picture->height = height;
  int imported = keep_alpha ? WebPPictureImportRGBA(picture, pixels, stride)
                            : WebPPictureImportRGBX(picture, pixels, stride);
  if (!imported) {
    WebPPictureFree(picture);
    free(picture);
    return NULL;
  }
  return picture;
}

// Scales a picture to `width`×`height` (premultiplied by alpha); returns 0 on success.
EXPORT("picture_rescale") int shim_picture_rescale(WebPPicture* picture, int width, int height) {
  return WebPPictureRescale(picture, width, height) ? 0 : VP8_ENC_ERROR_OUT_OF_MEMORY;
}

// Frees a picture from `picture`.
EXPORT("picture_free") void shim_picture_free(WebPPicture* picture) {
  WebPPictureFree(picture);
  free(picture);
}

// Encodes a picture to a lossy WebP. On success writes the output's pointer
// and size to `*result_ptr` and `*result_size` (the caller frees the pointer)
// and returns 0; otherwise returns a WebPEncodingError (nonzero).
EXPORT("encode")
int shim_encode(WebPPicture* picture, float quality, int method, int low_memory, int alpha_compression,
                int alpha_filtering, int alpha_quality, uint8_t** result_ptr, size_t* result_size) {
  WebPConfig config;
  WebPMemoryWriter writer;
  if (!WebPConfigInit(&config)) return VP8_ENC_ERROR_INVALID_CONFIGURATION;
  config.quality = quality;
  config.method = method;
  config.low_memory = low_memory;
  config.alpha_compression = alpha_compression;
  config.alpha_filtering = alpha_filtering;
  config.alpha_quality = alpha_quality;
  if (!WebPValidateConfig(&config)) return VP8_ENC_ERROR_INVALID_CONFIGURATION;
  WebPMemoryWriterInit(&writer);
  picture->writer = WebPMemoryWrite;
  picture->custom_ptr = &writer;
  int ok = WebPEncode(&config, picture);
  picture->writer = NULL;
  picture->custom_ptr = NULL;
  if (!ok) {
    WebPMemoryWriterClear(&writer);
    return picture->error_code != VP8_ENC_OK ? picture->error_code : VP8_ENC_ERROR_OUT_OF_MEMORY;
  }
  *result_ptr = writer.mem;
  *result_size = writer.size;
  return 0;
}
