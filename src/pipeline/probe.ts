import { formatSpec } from './formats';
import { sniffFormat } from './sniff';
import type { ImageHeader } from './types';

/**
 * Reads width, height, frame count, alpha and EXIF orientation from the
 * headers only (the format's `probe` in the registry, formats.ts): no pixel
 * data is decoded and nothing is allocated in proportion to the declared size,
 * so limits can be checked before any decode.
 * @throws unsupported_media_type when the magic bytes are not JPEG, PNG, WebP or GIF.
 * @throws invalid_image when a header is short, inconsistent or unsupported
 *   (e.g. lossless/arithmetic JPEG, 12-bit JPEG, zero dimensions).
 */
export function probeImage(bytes: Uint8Array): ImageHeader {
  return formatSpec(sniffFormat(bytes)).probe(bytes);
}
