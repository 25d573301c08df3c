import type { Codecs } from './codecs';
import { chooseCoverCrop } from './crop-focus';
import { encodeWebp, type EncodedImage } from './encode';
import { createRowResampler } from './resample/rows';
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

/** Area-averages a whole image to `width`×`height` through the streaming row resampler. */
function areaResample(image: RgbaImage, width: number, height: number): RgbaImage {
  if (width === image.width && height === image.height) return image;
  const resampler = createRowResampler(image.width, image.height, width, height);
  const rowBytes = image.width * 4;
  for (let y = 0; y < image.height; y++) resampler.put(y, image.data.subarray(y * rowBytes, (y + 1) * rowBytes));
  return resampler.finish();
}

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
 * WebP the gateway encoded): decode, area-average to about twice the output
 * (the working image), pick the crop on it for `cover`, Lanczos-3 to the
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
  // The whole frame, for now: a decoder that scales while decoding goes here,
  // asked for the working size computed below from the header.
  const decoded = await codecs.decodeWebp(mainWebp);
  stage('decode');
  const { width, height } = decoded;
  const short = Math.min(width, height);
  let output: RgbaImage;
  if (options.fit === 'cover') {
    const scale = Math.min(1, (2 * options.size) / short);
    const working = areaResample(
      decoded,
      Math.max(1, Math.round(width * scale)),
      Math.max(1, Math.round(height * scale)),
    );
    stage('reduce');
    const crop = chooseCoverCrop(working);
    const side = Math.min(options.size, short);
    const square = cropSquare(working, crop.x, crop.y, crop.side);
    output = square.width === side ? square : lanczosResize(square, side, side);
  } else {
    const twice = fitWithin(width, height, 2 * options.size);
    const working = areaResample(decoded, twice.width, twice.height);
    stage('reduce');
    const target = fitWithin(width, height, options.size);
    output = working.width === target.width ? working : lanczosResize(working, target.width, target.height);
  }
  stage('resize');
  const encoded = await encodeWebp(output, options.quality, codecs);
  stage('encode');
  return encoded;
}
