import type { Codecs } from './codecs';
import { PipelineError } from './errors';
import { MAX_ALPHA_OUTPUT_EDGE } from './limits';
import type { ColourConversion } from './colour';
import type { ImageHeader, RgbaImage } from './types';
import { formatSpec } from './formats';

/**
 * Decodes the (first frame of the) image to RGBA no larger than
 * `maxOutputEdge` (for images that may carry alpha, {@link MAX_ALPHA_OUTPUT_EDGE})
 * on its longest side, upright: the EXIF orientation is applied as pixels are
 * placed, so no second frame is made to rotate, and pixels are converted to
 * sRGB through `colour` (resampled in linear light). JPEG, PNG and GIF are decoded
 * straight to that size by streaming TypeScript decoders; WebP is decoded at
 * full size by libwebp (capped by MAX_FULL_FRAME_INPUT_PIXELS), then reduced. The
 * format's `decodeToSize` in the registry (formats.ts) does the work. The
 * header has already been checked against the limits and the file's
 * structure walked to its end.
 * @throws PipelineError `invalid_image` when the data cannot be decoded or
 * does not match the header; `dimensions_exceeded` from a decoder's own check.
 */
export async function decodeImage(
  bytes: Uint8Array,
  header: ImageHeader,
  codecs: Codecs,
  maxOutputEdge: number,
  colour?: ColourConversion,
): Promise<RgbaImage> {
  const maxEdge = header.hasAlpha ? Math.min(maxOutputEdge, MAX_ALPHA_OUTPUT_EDGE) : maxOutputEdge;
  try {
    const image = await formatSpec(header.format).decodeToSize(bytes, header, maxEdge, codecs, colour);
    // The output size was budgeted from the header's alpha flag; a file whose
    // header says opaque but whose pixels are not (a GIF index past its colour
    // table, a VP8L alpha hint left unset) must not make libwebp run its far
    // hungrier alpha encoder, so such pixels are made opaque.
    if (!header.hasAlpha) makeOpaque(image);
    return image;
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    // A codec's own error or a decoder that delivered fewer rows than declared.
    throw new PipelineError('invalid_image', `The ${header.format.toUpperCase()} data could not be decoded`, {
      cause: error,
    });
  }
}

function makeOpaque(image: RgbaImage): void {
  const { data } = image;
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
}
