import { writeSrgb } from '../colour/encode';
import { isSrgbConversion, srgbConversion, type ColourConversion } from '../colour/transform';
import { createFilterResampler, type RowFilters } from './filter-rows';
import { uprightIndex, uprightSize } from '../orient';
import type { ImageSink } from '../rows';
import type { Orientation } from '../types';

/**
 * Streams a `srcW`×`srcH` image into a `dstW`×`dstH` one (each no larger than
 * the source) in linear light: {@link createFilterResampler} (box pre-shrink
 * while a factor of two remains, then Lanczos-3), or a copy when the size is
 * unchanged. `colour` takes each 8-bit sample to linear light; every output
 * pixel is converted to 8-bit sRGB and written straight to its place in the
 * image upright for `orientation` (EXIF), so no second frame is needed to
 * rotate. A large decode never needs its full-resolution frame. Rows must
 * arrive whole and in order 0, 1, 2, … (see {@link ImageSink}). `opaque`:
 * the caller promises every alpha is 255 (JPEG), so three channels are
 * filtered instead of four. `filters`: the codecs' WASM SIMD multiply-add
 * loops the filter runs on.
 */
export function createRowResampler(
  filters: RowFilters,
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  orientation: Orientation = 1,
  colour: ColourConversion = srgbConversion(),
  opaque = false,
): ImageSink {
  if (dstW > srcW || dstH > srcH || dstW < 1 || dstH < 1) {
    throw new RangeError(`cannot resample ${srcW}x${srcH} down to ${dstW}x${dstH}`);
  }
  if (dstW === srcW && dstH === srcH) return createRowCopier(srcW, srcH, orientation, colour, opaque);
  return createFilterResampler(filters, srcW, srcH, dstW, dstH, orientation, colour, opaque);
}

/** The same-size case: rows are copied into (upright) place, converted to sRGB when they are not. */
function createRowCopier(
  width: number,
  height: number,
  orientation: Orientation,
  colour: ColourConversion,
  opaque: boolean,
): ImageSink {
  const out = new Uint8ClampedArray(width * height * 4);
  const place = uprightIndex(orientation, width, height);
  const [toR, toG, toB] = colour.toLinear;
  const convert = !isSrgbConversion(colour);
  let rows = 0;
  return {
    put(y, rgba) {
      if (convert) {
        for (let x = 0, s = 0; x < width; x++, s += 4) {
          const o = place(x, y) * 4;
          writeSrgb(colour.matrix, toR[rgba[s]!]!, toG[rgba[s + 1]!]!, toB[rgba[s + 2]!]!, out, o);
          out[o + 3] = rgba[s + 3]!;
        }
      } else if (orientation === 1) {
        out.set(rgba.subarray(0, width * 4), y * width * 4);
      } else {
        for (let x = 0; x < width; x++) out.set(rgba.subarray(x * 4, x * 4 + 4), place(x, y) * 4);
      }
      rows++;
    },
    finish() {
      if (rows < height) throw new RangeError(`copier received ${rows} of ${height} rows`);
      return { ...uprightSize(orientation, width, height), data: out, ...(opaque && { opaque }) };
    },
  };
}
