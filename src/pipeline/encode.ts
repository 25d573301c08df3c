import type { Codecs, WebpEncodeSettings } from './codecs';
import { alphaEncodeMethod, encoderMemoryLimitBytes, maxAlphaOutputPixels } from './limits';
import type { RgbaImage } from './types';

/** An encoded output image. */
export interface EncodedImage {
  /** WebP bytes: VP8/VP8L (+ALPH) only, never EXIF, XMP or ICCP. */
  bytes: Uint8Array;
  width: number;
  height: number;
}

/**
 * libwebp settings, chosen by `npm run bench:codecs` and bench:memory (README "Memory"):
 * opaque images use libwebp's default effort; images with real transparency use
 * it too when they are small enough, else method 2, because the method is also the
 * effort of the alpha plane's lossless encoder, whose heap is the budget's largest
 * cost (about 19 bytes per pixel at method 2, 29 at method 4, for the same file
 * size within 10 %; {@link alphaEncodeMethod}). Neither asks for
 * `low_memory` (it codes every picture twice): the encoder's memory is capped per
 * call instead ({@link encoderMemoryLimitBytes}), and only an output whose token
 * buffer would outgrow the cap is coded again with `low_memory`.
 */
export const ENCODE_SETTINGS = {
  opaque: { method: 4, lowMemory: false, alpha: false },
  alpha: { method: 2, lowMemory: false, alpha: { compression: 1, filtering: 1, quality: 100 } },
} as const satisfies Record<string, Omit<WebpEncodeSettings, 'quality'>>;

/** Whether every pixel's alpha is 255 (then the file needs no alpha chunk). */
export function isOpaque(image: RgbaImage): boolean {
  const { data } = image;
  const stride = Math.max(1, image.width) * 4;
  // A row per call, for the reason given at decode.ts's makeOpaque.
  for (let start = 0; start < data.length; start += stride)
    if (!opaqueRow(data, start + 3, Math.min(start + stride, data.length))) return false;
  return true;
}

function opaqueRow(data: Uint8ClampedArray, from: number, end: number): boolean {
  for (let i = from; i < end; i += 4) if (data[i] !== 255) return false;
  return true;
}

/**
 * Encodes pixels to WebP. Only pixels go in, so no metadata can come out:
 * this is where EXIF, GPS, XMP and ICC profiles are dropped by construction.
 * An image whose alpha is entirely 255 (`opaque`, or found so by a scan) is encoded as opaque (no ALPH chunk)
 * at its full size. Real transparency is kept, losslessly; libwebp's alpha
 * encoder needs far more memory, so such an image is scaled down inside the
 * encoder when it is larger than {@link maxAlphaOutputPixels} allows.
 */
export async function encodeWebp(image: RgbaImage, quality: number, codecs: Codecs): Promise<EncodedImage> {
  const maxMemoryBytes = encoderMemoryLimitBytes(image.width * image.height);
  if (image.opaque || isOpaque(image)) {
    const bytes = await codecs.encodeWebp(image, { ...ENCODE_SETTINGS.opaque, quality, maxMemoryBytes });
    return { bytes, width: image.width, height: image.height };
  }
  const size = alphaOutputSize(image.width, image.height);
  const method = alphaEncodeMethod(size.width * size.height, maxMemoryBytes);
  const bytes = await codecs.encodeWebp(image, { ...ENCODE_SETTINGS.alpha, method, quality, maxMemoryBytes }, size);
  return { bytes, ...size };
}

/** The image's size, scaled down (aspect kept) to at most {@link maxAlphaOutputPixels}. */
function alphaOutputSize(width: number, height: number): { width: number; height: number } {
  const pixels = width * height;
  const max = maxAlphaOutputPixels(pixels);
  if (pixels <= max) return { width, height };
  const scale = Math.sqrt(max / pixels);
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}
