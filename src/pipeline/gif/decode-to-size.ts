import type { ColourConversion } from '../colour';
import type { RowFilters } from '../resample/filter-rows';
import { createRowResampler } from '../resample/rows';
import { fitWithin } from '../resample/resize';
import type { ImageHeader, RgbaImage } from '../types';
import { decodeGifRows } from './decoder';

/**
 * The first GIF frame on its logical screen, streamed row by row into at most
 * `maxEdge` pixels on the longest side: only the frame's palette indices
 * (1 byte per pixel) and the output are held.
 * @throws PipelineError `invalid_image`, `dimensions_exceeded`
 */
export function decodeGifToSize(
  bytes: Uint8Array,
  header: ImageHeader,
  maxEdge: number,
  filters: RowFilters,
  colour?: ColourConversion,
): RgbaImage {
  const target = fitWithin(header.width, header.height, maxEdge);
  const resampler = createRowResampler(
    filters,
    header.width,
    header.height,
    target.width,
    target.height,
    header.orientation,
    colour,
  );
  decodeGifRows(bytes, { maxPixels: header.width * header.height }, resampler);
  return resampler.finish();
}
