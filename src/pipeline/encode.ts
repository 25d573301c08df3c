import type { Codecs } from './codecs';
import type { RgbaImage } from './types';

/** An encoded output image. */
export interface EncodedImage {
  /** WebP bytes: VP8/VP8L (+ALPH) only, never EXIF, XMP or ICCP. */
  bytes: Uint8Array;
  width: number;
  height: number;
}

/**
 * Encodes pixels to WebP. Only pixels go in, so no metadata can come out:
 * this is where EXIF, GPS, XMP and ICC profiles are dropped by construction.
 * Alpha is kept when any pixel is not opaque (libwebp drops an all-opaque one).
 */
export async function encodeWebp(image: RgbaImage, quality: number, codecs: Codecs): Promise<EncodedImage> {
  const bytes = await codecs.encodeWebp(image, quality);
  return { bytes, width: image.width, height: image.height };
}
