import { formatSpec, type ImageFormat } from './formats';

/**
 * Walks the file's whole structure (the format's `assertComplete` in the
 * registry, formats.ts) and rejects missing or corrupt data before
 * decoding, so a truncated file is refused the same way whichever decoder
 * would have read it (libjpeg-style decoders return a half-gray image without
 * error for a JPEG cut short; libwebp is a C decoder of hostile input). Work is linear in the file size and
 * capped (JPEG scans, GIF frames), so a hostile file cannot burn CPU here.
 * Bytes after the end marker (EOI, IEND, trailer, RIFF size) are ignored.
 * @throws invalid_image when data is missing (no EOI/IEND/trailer, RIFF size
 *   past the end), a PNG CRC fails, or the structure is inconsistent.
 */
export function assertComplete(bytes: Uint8Array, format: ImageFormat): void {
  formatSpec(format).assertComplete(bytes);
}
