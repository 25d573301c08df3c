import type { Codecs } from './codecs';
import { chooseCoverCrop } from './crop-focus';
import { encodeWebp, type EncodedImage } from './encode';
import { fitWithin, lanczosResize } from './resample/resize';
import type { RgbaImage } from './types';

/** How a variant fills its N×N box. */
export type VariantFit = 'cover' | 'contain';

export interface VariantOptions {
  /** The box edge N in pixels; the variant is never larger than the stored image. */
  size: number;
  /** `contain`: fits inside N×N, aspect kept. `cover`: an N×N square cut around the most detailed region. */
  fit: VariantFit;
  /** WebP quality, 1–100. */
  quality: number;
  /** Called after each stage; the delivery benchmark samples memory here. */
  onStage?: (stage: VariantStage) => void;
}

/** The stages of {@link renderVariant}, in order. */
export type VariantStage = 'decode' | 'reduce' | 'resize' | 'encode';

/** The `side`×`side` square of `image` at (`x`, `y`), copied row by row. */
function cropSquare(image: RgbaImage, x: number, y: number, side: number): RgbaImage {
  const data = new Uint8ClampedArray(side * side * 4);
  for (let row = 0; row < side; row++) {
    const from = ((y + row) * image.width + x) * 4;
    data.set(image.data.subarray(from, from + side * 4), row * side * 4);
  }
  return { width: side, height: side, data };
}

/**
 * Renders a size variant from a stored main image (an upright, metadata-free
 * WebP the gateway encoded): decode scaled by libwebp to about twice the
 * output (the working image), pick the crop on it for `cover`, Lanczos-3 to the
 * output size, encode. Never upscales: a `cover` variant of an image smaller
 * than N is the largest square it has. Pure: the caller stores the result.
 *
 * @throws Error when the codec fails (the bytes are the gateway's own output,
 *   so this is a storage or codec fault, not bad input).
 */
export async function renderVariant(
  mainWebp: Uint8Array,
  options: VariantOptions,
  codecs: Codecs,
): Promise<EncodedImage> {
  const stage = options.onStage ?? (() => {});
  // libwebp scales while it decodes (the size callback), straight to the
  // working size: about twice the output on the side that matters, so the
  // 2048 px main image is never held whole. Its scaler works in gamma space;
  // the last step (Lanczos-3 to the output size) is the gateway's.
  let width = 0;
  let height = 0;
  const working = await codecs.decodeWebp(mainWebp, (info) => {
    ({ width, height } = info.frame);
    if (options.fit === 'cover') {
      const scale = Math.min(1, (2 * options.size) / Math.min(width, height));
      return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
    }
    return fitWithin(width, height, 2 * options.size);
  });
  stage('decode');
  stage('reduce'); // done by libwebp while decoding
  let output: RgbaImage;
  if (options.fit === 'cover') {
    const crop = chooseCoverCrop(working);
    const side = Math.min(options.size, Math.min(width, height));
    const square = cropSquare(working, crop.x, crop.y, crop.side);
    output = square.width === side ? square : lanczosResize(square, side, side);
  } else {
    const target = fitWithin(width, height, options.size);
    output = working.width === target.width ? working : lanczosResize(working, target.width, target.height);
  }
  stage('resize');
  const encoded = await encodeWebp(output, options.quality, codecs);
  stage('encode');
  return encoded;
}
