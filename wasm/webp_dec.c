// The gateway's WebP decoder: a thin shim over libwebp's WebPDecode (with
// scaling) and WebPDemux (first frame of an animation). Every pointer and
// length passed in is checked by the TypeScript adapter (src/codecs/) before
// the call; this file only forwards to libwebp.
#include <stdint.h>
#include <stdlib.h>

#include "src/webp/decode.h"
#include "src/webp/demux.h"

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("alloc") void* shim_alloc(size_t size) { return malloc(size); }
EXPORT("free") void shim_free(void* ptr) { free(ptr); }

// libwebp's decoder version, 0xMMmmpp (0x010500 for 1.5.0).
EXPORT("version") int shim_version(void) { return WebPGetDecoderVersion(); }

// What the first frame is and where its bitstream lies in `data`, written to
// info[0..10]: canvas width, canvas height, frame count, frame x, frame y,
// frame width, frame height, bitstream offset, bitstream size, has alpha,
// format (1 lossy, 2 lossless). Works for stills and animations alike.
// Returns 0, or a VP8StatusCode-like nonzero value when the file is refused.
EXPORT("info") int shim_info(const uint8_t* data, size_t size, int32_t* info) {
  WebPData webp_data = {data, size};
  WebPDemuxer* demux = WebPDemux(&webp_data);
  if (demux == NULL) return VP8_STATUS_BITSTREAM_ERROR;
  WebPIterator iter;
  int status = VP8_STATUS_BITSTREAM_ERROR;
  if (WebPDemuxGetFrame(demux, 1, &iter)) {
    WebPBitstreamFeatures features;
    status = WebPGetFeatures(iter.fragment.bytes, iter.fragment.size, &features);
    if (status == VP8_STATUS_OK) {
      info[0] = (int32_t)WebPDemuxGetI(demux, WEBP_FF_CANVAS_WIDTH);
      info[1] = (int32_t)WebPDemuxGetI(demux, WEBP_FF_CANVAS_HEIGHT);
      info[2] = (int32_t)WebPDemuxGetI(demux, WEBP_FF_FRAME_COUNT);
      info[3] = iter.x_offset;
      info[4] = iter.y_offset;
      info[5] = iter.width;
      info[6] = iter.height;
      info[7] = (int32_t)(iter.fragment.bytes - data);
      info[8] = (int32_t)iter.fragment.size;
      info[9] = features.has_alpha;
      info[10] = features.format;
      // The bitstream's own size must be the frame's (the demuxer checks it
      // for animations; a still's VP8X canvas is checked here).
      if (features.width != iter.width || features.height != iter.height) status = VP8_STATUS_BITSTREAM_ERROR;
    }
    WebPDemuxReleaseIterator(&iter);
  }
  WebPDemuxDelete(demux);
  return status;
}

// Decodes a still bitstream (a whole file, or the fragment `info` located)
// to RGBA `width`×`height` (scaled when that differs from the bitstream's
// size) into `out`, `stride` bytes per row, `out_size` bytes in all.
// Returns a VP8StatusCode (0 = OK).
EXPORT("decode")
int shim_decode(const uint8_t* data, size_t size, int width, int height, uint8_t* out, int stride, size_t out_size) {
  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) return VP8_STATUS_INVALID_PARAM;
  int status = WebPGetFeatures(data, size, &config.input);
  if (status != VP8_STATUS_OK) return status;
  if (width != config.input.width || height != config.input.height) {
    config.options.use_scaling = 1;
    config.options.scaled_width = width;
    config.options.scaled_height = height;
  }
  config.output.colorspace = MODE_RGBA;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = out;
  config.output.u.RGBA.stride = stride;
  config.output.u.RGBA.size = out_size;
  status = WebPDecode(data, size, &config);
  WebPFreeDecBuffer(&config.output);
  return status;
}
