import { createRowResampler } from '../resample/rows';
import { fitWithin } from '../resample/resize';
import type { ImageHeader, RgbaImage } from '../types';
import { decodeJpeg, scaledSize, type JpegScale } from './decoder';

/**
 * A DCT-scaled decode this close to the target is kept as is rather than
 * decoding at the next larger scale and area-resampling down: a 4032×3024
 * photo becomes 2016×1512 at 1/2 scale instead of holding twice the data to
 * reach 2048×1536.
 */
const SCALE_TOLERANCE = 0.9;

/** The smallest DCT scale (largest denominator) whose output still has about `edge` pixels on its longest side. */
export function chooseJpegScale(width: number, height: number, edge: number): JpegScale {
  const target = Math.min(edge, Math.max(width, height));
  for (const scale of [8, 4, 2] as const) {
    const scaled = scaledSize(width, height, scale);
    if (Math.max(scaled.width, scaled.height) >= target * SCALE_TOLERANCE) return scale;
  }
  return 1;
}

/**
 * Decodes a JPEG straight to at most `maxEdge` pixels on its longest side,
 * never holding the full-resolution frame: the TypeScript decoder produces
 * rows at the chosen DCT scale and an area resampler folds them into the
 * upright output (EXIF orientation applied) as they arrive.
 * @throws PipelineError `invalid_image`, `dimensions_exceeded`
 */
export function decodeJpegToSize(bytes: Uint8Array, header: ImageHeader, maxEdge: number): RgbaImage {
  const scale = chooseJpegScale(header.width, header.height, maxEdge);
  const scaled = scaledSize(header.width, header.height, scale);
  const target = fitWithin(scaled.width, scaled.height, maxEdge);
  const sink = createRowResampler(scaled.width, scaled.height, target.width, target.height, header.orientation);
  decodeJpeg(bytes, { scale, maxPixels: header.width * header.height }, sink);
  return sink.finish();
}
