import { probeGif } from './gif/container';
import { probeJpeg } from './jpeg/container';
import { probePng } from './png/container';
import { probeWebp } from './webp/container';
import { sniffFormat } from './sniff';
import type { ImageHeader } from './types';

/**
 * Reads width, height, frame count, alpha and EXIF orientation from the
 * headers only: no pixel data is decoded and nothing is allocated in
 * proportion to the declared size, so limits can be checked before any decode.
 * @throws unsupported_media_type when the magic bytes are not JPEG, PNG, WebP or GIF.
 * @throws invalid_image when a header is short, inconsistent or unsupported
 *   (e.g. lossless/arithmetic JPEG, 12-bit JPEG, zero dimensions).
 */
export function probeImage(bytes: Uint8Array): ImageHeader {
  switch (sniffFormat(bytes)) {
    case 'jpeg':
      return probeJpeg(bytes);
    case 'png':
      return probePng(bytes);
    case 'webp':
      return probeWebp(bytes);
    case 'gif':
      return probeGif(bytes);
  }
}
