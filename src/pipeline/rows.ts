/**
 * Where streaming decoders put pixels, so no full-resolution frame is ever
 * held: a sink resamples as pixels arrive.
 */
export interface PixelSink {
  /**
   * RGBA pixels of row `y` (8 bits per channel): pixel i of `rgba` lands at
   * column `x0 + i * dx`. A full row is `x0 = 0, dx = 1`; interlaced sources
   * (PNG Adam7) deliver sparse rows in any order. `rgba` may be reused by
   * the caller after the call returns: copy what you keep.
   */
  put(y: number, rgba: Uint8Array | Uint8ClampedArray, x0: number, dx: number): void;
}
