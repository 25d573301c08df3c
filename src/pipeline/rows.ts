import type { RgbaImage } from './types';

/**
 * The one contract by which pixels leave a decoder: a row arrives. Every
 * streaming decoder (JPEG, PNG, GIF) and the WebP path hand their pixels to a
 * `RowSink`, and everything that consumes them (the area resampler, the block
 * reducer, a test collecting rows) is one, so no full-resolution frame is held
 * and a per-row step (colour conversion, linear light) has one place to go.
 *
 * Order: JPEG, GIF, WebP and non-interlaced PNG deliver every row exactly once,
 * whole (`x0 = 0, dx = 1`), top to bottom. Adam7 PNG delivers sparse rows pass
 * by pass, so it is only given to a sink that accepts pixels in any order
 * (the block reducer, resample/blocks.ts); the area resampler (resample/rows.ts)
 * needs whole rows in order.
 */
export interface RowSink {
  /**
   * 8-bit RGBA pixels of source row `y`: pixel i of `rgba` lands at column
   * `x0 + i * dx` (a whole row: `x0 = 0, dx = 1`, the defaults). `rgba` still
   * belongs to the caller, which reuses it after the call: copy what you keep.
   */
  put(y: number, rgba: Uint8Array | Uint8ClampedArray, x0?: number, dx?: number): void;
}

/** A {@link RowSink} that assembles what arrived into an image. */
export interface ImageSink extends RowSink {
  /**
   * The finished image; call after the last row.
   * @throws RangeError when rows are missing.
   */
  finish(): RgbaImage;
}

/** Streams a whole image through `sink`, its rows in order, and returns what the sink finishes into. */
export function streamImage(image: RgbaImage, sink: ImageSink): RgbaImage {
  const rowBytes = image.width * 4;
  for (let y = 0; y < image.height; y++) sink.put(y, image.data.subarray(y * rowBytes, (y + 1) * rowBytes));
  return sink.finish();
}
