import type { ColourConversion } from '../colour';
import { createRowResampler } from '../resample-rows';
import { fitWithin } from '../resize';
import type { ImageHeader, RgbaImage } from '../types';
import { decodeGifRows } from './gif';

/**
 * The first GIF frame on its logical screen, streamed row by row into at most
 * `maxEdge` pixels on the longest side: only the frame's palette indices
 * (1 byte per pixel) and the output are held.
 * @throws PipelineError `invalid_image`, `dimensions_exceeded`
 */
export function decodeGifWithin(
  bytes: Uint8Array,
  header: ImageHeader,
  maxEdge: number,
  colour?: ColourConversion,
): RgbaImage {
  const target = fitWithin(header.width, header.height, maxEdge);
  const resampler = createRowResampler(
    header.width,
    header.height,
    target.width,
    target.height,
    header.orientation,
    colour,
  );
  decodeGifRows(bytes, { maxPixels: header.width * header.height }, (y, rgba) => resampler.put(y, rgba));
  return resampler.finish();
}
