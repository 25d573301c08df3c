import type { Codecs } from '../../codecs/types';
import { PipelineError } from '../../lib/errors';
import { createRowResampler } from '../resample-rows';
import { fitWithin } from '../resize';
import { MAX_ALPHA_OUTPUT_EDGE } from '../limits';
import { applyOrientation } from '../orient';
import type { ImageFormat, ImageHeader, Orientation, RgbaImage } from '../types';
import { decodeJpegWithin } from './jpeg-within';
import { decodePngWithin } from './png-within';
import { decodeGif } from './gif';
import { extractFirstWebpFrame, isAnimatedWebp } from './webp-frame';

/**
 * Decodes the (first frame of the) image to RGBA no larger than
 * `maxOutputEdge` (for images that may carry alpha, {@link MAX_ALPHA_OUTPUT_EDGE})
 * on its longest side, upright: the EXIF orientation is applied as pixels are
 * placed, so no second frame is made to rotate.
 * JPEG and PNG are decoded straight to that size by streaming TypeScript
 * decoders; GIF and WebP are decoded at full size, checked against the
 * header, then reduced. The
 * header has already been checked against the limits and the file's
 * structure walked to its end.
 * @throws PipelineError `invalid_image` when the codec fails or its output
 * does not match the header.
 */
export async function decodeImage(
  bytes: Uint8Array,
  header: ImageHeader,
  codecs: Codecs,
  maxOutputEdge: number,
): Promise<RgbaImage> {
  const maxEdge = header.hasAlpha ? Math.min(maxOutputEdge, MAX_ALPHA_OUTPUT_EDGE) : maxOutputEdge;
  if (header.format === 'jpeg') return decodeJpegWithin(bytes, header, maxEdge);
  if (header.format === 'png') return decodePngWithin(bytes, header, maxEdge);
  let image: RgbaImage;
  try {
    image = await decodeByFormat(bytes, { ...header, format: header.format }, codecs);
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    throw new PipelineError('invalid_image', `The ${header.format.toUpperCase()} data could not be decoded`, {
      cause: error,
    });
  }
  if (image.width !== header.width || image.height !== header.height) {
    throw new PipelineError('invalid_image', 'The decoded image does not match the size its header declares', {
      details: { header: `${header.width}x${header.height}`, decoded: `${image.width}x${image.height}` },
    });
  }
  return reduceFrame(image, maxEdge, header.orientation);
}

async function decodeByFormat(
  bytes: Uint8Array,
  header: ImageHeader & { format: Exclude<ImageFormat, 'jpeg' | 'png'> },
  codecs: Codecs,
): Promise<RgbaImage> {
  switch (header.format) {
    case 'gif':
      return decodeGif(bytes, { maxPixels: header.width * header.height });
    case 'webp':
      // A one-frame animation is still ANIM/ANMF, which libwebp's still decoder refuses.
      return isAnimatedWebp(bytes) ? decodeAnimatedWebp(bytes, codecs) : codecs.decodeWebp(bytes);
  }
}

/** First frame of an animated WebP, placed on its canvas (the rest of the canvas transparent). */
async function decodeAnimatedWebp(bytes: Uint8Array, codecs: Codecs): Promise<RgbaImage> {
  const frame = extractFirstWebpFrame(bytes);
  const pixels = await codecs.decodeWebp(frame.still);
  const canvas = new Uint8ClampedArray(frame.canvasWidth * frame.canvasHeight * 4);
  const rows = Math.min(pixels.height, frame.canvasHeight - frame.y);
  const cols = Math.min(pixels.width, frame.canvasWidth - frame.x);
  for (let y = 0; y < rows; y++) {
    const from = y * pixels.width * 4;
    canvas.set(pixels.data.subarray(from, from + cols * 4), ((frame.y + y) * frame.canvasWidth + frame.x) * 4);
  }
  return { width: frame.canvasWidth, height: frame.canvasHeight, data: canvas };
}

/**
 * Area-resamples a full frame down to fit `maxEdge`, upright, row by row: the only
 * new memory is the output (a Lanczos pass would need float intermediates of
 * several times the frame).
 */
function reduceFrame(image: RgbaImage, maxEdge: number, orientation: Orientation): RgbaImage {
  const target = fitWithin(image.width, image.height, maxEdge);
  if (target.width === image.width && target.height === image.height) return applyOrientation(image, orientation);
  const resampler = createRowResampler(image.width, image.height, target.width, target.height, orientation);
  const rowBytes = image.width * 4;
  for (let y = 0; y < image.height; y++) resampler.put(y, image.data.subarray(y * rowBytes, (y + 1) * rowBytes));
  return resampler.finish();
}
