import { assertGifComplete } from './gif/container';
import { assertJpegComplete } from './jpeg/container';
import { assertPngComplete } from './png/container';
import { assertWebpComplete } from './webp/container';
import type { ImageFormat } from './types';

/**
 * Walks the file's whole structure and rejects missing or corrupt data before
 * decoding, so a truncated file is refused the same way whichever decoder
 * would have read it (libjpeg-style decoders return a half-gray image without
 * error for a JPEG cut short; libwebp is a C decoder of hostile input). Work is linear in the file size and
 * capped (JPEG scans, GIF frames), so a hostile file cannot burn CPU here.
 * Bytes after the end marker (EOI, IEND, trailer, RIFF size) are ignored.
 * @throws invalid_image when data is missing (no EOI/IEND/trailer, RIFF size
 *   past the end), a PNG CRC fails, or the structure is inconsistent.
 */
export function assertComplete(bytes: Uint8Array, format: ImageFormat): void {
  switch (format) {
    case 'jpeg':
      return assertJpegComplete(bytes);
    case 'png':
      return assertPngComplete(bytes);
    case 'webp':
      return assertWebpComplete(bytes);
    case 'gif':
      return assertGifComplete(bytes);
  }
}
