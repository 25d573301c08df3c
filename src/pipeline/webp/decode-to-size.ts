import type { Codecs } from '../codecs';
import { PipelineError } from '../errors';
import type { ColourConversion } from '../colour';
import { isSrgbConversion } from '../colour/transform';
import { applyOrientation } from '../orient';
import { createRowResampler } from '../resample/rows';
import { fitWithin } from '../resample/resize';
import type { ImageHeader, RgbaImage } from '../types';
import { extractFirstWebpFrame, isAnimatedWebp } from './first-frame';

/**
 * Decodes a WebP with libwebp (a fresh WASM instance per call, see
 * src/codecs/jsquash.ts) as a full frame, the first frame for an animation,
 * then area-resamples it upright into at most `maxEdge` pixels on the longest
 * side. No streaming WebP decoder exists, so the input size is what the
 * memory budget caps (MAX_FULL_FRAME_INPUT_PIXELS, checked from the header).
 * @throws PipelineError `invalid_image` when the decoded size does not match the header.
 */
export async function decodeWebpToSize(
  bytes: Uint8Array,
  header: ImageHeader,
  maxEdge: number,
  codecs: Codecs,
  colour?: ColourConversion,
): Promise<RgbaImage> {
  // A one-frame animation is still ANIM/ANMF, which libwebp's still decoder refuses.
  const image = isAnimatedWebp(bytes) ? await decodeFirstFrame(bytes, codecs) : await codecs.decodeWebp(bytes);
  if (image.width !== header.width || image.height !== header.height) {
    throw new PipelineError('invalid_image', 'The decoded image does not match the size its header declares', {
      details: { header: `${header.width}x${header.height}`, decoded: `${image.width}x${image.height}` },
    });
  }
  const target = fitWithin(image.width, image.height, maxEdge);
  if (target.width === image.width && target.height === image.height && (!colour || isSrgbConversion(colour))) {
    return applyOrientation(image, header.orientation);
  }
  const resampler = createRowResampler(
    image.width,
    image.height,
    target.width,
    target.height,
    header.orientation,
    colour,
  );
  const rowBytes = image.width * 4;
  for (let y = 0; y < image.height; y++) resampler.put(y, image.data.subarray(y * rowBytes, (y + 1) * rowBytes));
  return resampler.finish();
}

/** First frame of an animated WebP, placed on its canvas (the rest of the canvas transparent). */
async function decodeFirstFrame(bytes: Uint8Array, codecs: Codecs): Promise<RgbaImage> {
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
