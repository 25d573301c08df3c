import type { ColourConversion } from '../colour';
import type { RowFilters } from '../resample/filter-rows';
import { createRowResampler } from '../resample/rows';
import { fitWithin } from '../resample/resize';
import type { ImageHeader, RgbaImage } from '../types';
import { decodeJpeg, scaledSize, type JpegScale } from './decoder';
import { fullScaleCoefficientBytes } from './buffer';

/**
 * A buffered decode (progressive, or one scan per component) keeps every DCT
 * coefficient until its last scan. At full scale that is 128 bytes per block:
 * 35 MiB for a 12 MP 4:2:0 photo, but 96 MiB for 4096×4096 4:4:4. Above this
 * the decode falls back to a DCT scale, which keeps only the coefficients it uses.
 */
const MAX_FULL_SCALE_COEFFICIENT_BYTES = 40 * 2 ** 20;

/**
 * The smallest DCT scale (largest denominator) that still leaves at least a
 * factor of two for the resampler to the `edge`-bounded target, as
 * vipsthumbnail's shrink-on-load does: DCT scaling is a box filter, so only a
 * proper kernel may do the last factor of two. A 4032×3024 photo bound for
 * 2048 is decoded at full scale; bound for 400, at 1/4 (1008×756).
 */
export function chooseJpegScale(width: number, height: number, edge: number): JpegScale {
  const target = Math.min(edge, Math.max(width, height));
  for (const scale of [8, 4, 2] as const) {
    const scaled = scaledSize(width, height, scale);
    if (Math.max(scaled.width, scaled.height) >= 2 * target) return scale;
  }
  return 1;
}

/**
 * {@link chooseJpegScale}, except that a buffered decode whose full-scale
 * coefficients would not fit {@link MAX_FULL_SCALE_COEFFICIENT_BYTES} uses
 * the smallest DCT scale that still reaches the target, or 1/2 (the output is
 * then that scale's size, a little under the target at worst).
 */
function chooseScaleWithinBudget(bytes: Uint8Array, header: ImageHeader, edge: number): JpegScale {
  const scale = chooseJpegScale(header.width, header.height, edge);
  if (scale !== 1 || fullScaleCoefficientBytes(bytes) <= MAX_FULL_SCALE_COEFFICIENT_BYTES) return scale;
  const target = Math.min(edge, Math.max(header.width, header.height));
  for (const candidate of [8, 4] as const) {
    const scaled = scaledSize(header.width, header.height, candidate);
    if (Math.max(scaled.width, scaled.height) >= target) return candidate;
  }
  return 2;
}

/**
 * Decodes a JPEG straight to at most `maxEdge` pixels on its longest side,
 * never holding the full-resolution frame: the TypeScript decoder produces
 * rows at the chosen DCT scale and the resampler (Lanczos-3) folds them into the
 * upright output (EXIF orientation applied) as they arrive, converted to
 * sRGB through `colour` in linear light.
 * @throws PipelineError `invalid_image`, `dimensions_exceeded`
 */
export function decodeJpegToSize(
  bytes: Uint8Array,
  header: ImageHeader,
  maxEdge: number,
  filters: RowFilters,
  colour?: ColourConversion,
): RgbaImage {
  const scale = chooseScaleWithinBudget(bytes, header, maxEdge);
  const scaled = scaledSize(header.width, header.height, scale);
  const exact = fitWithin(header.width, header.height, maxEdge);
  const target =
    exact.width <= scaled.width && exact.height <= scaled.height
      ? exact
      : fitWithin(scaled.width, scaled.height, maxEdge);
  // A JPEG has no alpha (the decoder writes 255): the resampler filters three channels.
  const sink = createRowResampler(
    filters,
    scaled.width,
    scaled.height,
    target.width,
    target.height,
    header.orientation,
    colour,
    true,
  );
  decodeJpeg(bytes, { scale, maxPixels: header.width * header.height }, sink);
  return sink.finish();
}
