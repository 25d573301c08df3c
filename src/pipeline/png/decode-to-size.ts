import type { ColourConversion } from '../colour';
import { applyOrientation } from '../orient';
import { createBlockReducer } from '../resample/blocks';
import type { RowFilters } from '../resample/filter-rows';
import { createRowResampler } from '../resample/rows';
import { fitWithin } from '../resample/resize';
import type { ImageHeader, RgbaImage } from '../types';
import { decodePng } from './decoder';

/**
 * Decodes a PNG straight to at most `maxEdge` pixels on its longest side,
 * upright (EXIF orientation from eXIf applied),
 * never holding the full-resolution frame: rows are inflated, unfiltered and
 * resampled as they stream. Sequential PNGs are area-resampled to exactly
 * fit; Adam7 PNGs deliver pixels out of order, so they are averaged in whole
 * blocks (the smallest integer factor that fits), which may come out a
 * little smaller than `maxEdge`.
 * @throws PipelineError `invalid_image`, `dimensions_exceeded`
 */
export async function decodePngToSize(
  bytes: Uint8Array,
  header: ImageHeader,
  maxEdge: number,
  filters: RowFilters,
  colour?: ColourConversion,
): Promise<RgbaImage> {
  const { width, height } = header;
  const maxPixels = width * height;
  if (header.interlaced) {
    const reducer = createBlockReducer(width, height, Math.ceil(Math.max(width, height) / maxEdge), colour);
    await decodePng(bytes, reducer, { maxPixels });
    return applyOrientation(reducer.finish(), header.orientation);
  }
  const target = fitWithin(width, height, maxEdge);
  const resampler = createRowResampler(filters, width, height, target.width, target.height, header.orientation, colour);
  await decodePng(bytes, resampler, { maxPixels });
  return resampler.finish();
}
