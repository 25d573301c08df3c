import type { Codecs } from './codecs';
import { PipelineError } from './errors';
import type { ColourConversion } from './colour';
import type { ImageHeader, RgbaImage } from './types';
import { formatSpec } from './formats';

/**
 * Decodes the (first frame of the) image to RGBA no larger than
 * `maxOutputEdge` on its longest side, upright: the EXIF orientation is
 * applied as pixels are placed, so no second frame is made to rotate, and
 * pixels are converted to sRGB through `colour`. JPEG,
 * PNG and GIF are decoded straight to that size by streaming TypeScript
 * decoders; WebP by libwebp, which scales while decoding. The format's
 * `decodeToSize` in the registry (formats.ts) does the work. The header has
 * already been checked against the limits and the file's structure walked to
 * its end. Images with real transparency are reduced further by the encoder
 * (see `encodeWebp`), not here: whether the alpha is real is only known once
 * the pixels are.
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
  try {
    const image = await formatSpec(header.format).decodeToSize(bytes, header, maxOutputEdge, codecs, colour);
    // A file whose header says opaque but whose pixels are not (a GIF index
    // past its colour table, a VP8L alpha hint left unset) is stored opaque,
    // as its header says.
    if (!header.hasAlpha && !image.opaque) {
      makeOpaque(image);
      image.opaque = true;
    }
    return image;
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    // A codec's own error or a decoder that delivered fewer rows than declared.
    throw new PipelineError('invalid_image', `The ${header.format.toUpperCase()} data could not be decoded`, {
      cause: error,
    });
  }
}

/**
 * Sets every alpha to 255, a row per call: called once per image, a loop over
 * the whole frame would start unoptimised in every image (V8 compiles such a
 * loop on-stack, for that call only), whereas a function called per row is
 * compiled once and stays compiled.
 */
function makeOpaque(image: RgbaImage): void {
  const { data } = image;
  const stride = Math.max(1, image.width) * 4;
  for (let start = 0; start < data.length; start += stride)
    opaqueRow(data, start + 3, Math.min(start + stride, data.length));
}

function opaqueRow(data: Uint8ClampedArray, from: number, end: number): void {
  for (let i = from; i < end; i += 4) data[i] = 255;
}
