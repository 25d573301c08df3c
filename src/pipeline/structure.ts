import { formatSpec, type ImageFormat } from './formats';

/**
 * Walks the file's whole structure (the format's `assertComplete` in the
 * registry, formats.ts) and rejects missing or corrupt data before decoding,
 * so a truncated or corrupt file is refused the same way, and before any
 * output is allocated, whichever decoder would have read it. The decoders
 * alone would not: libwebp is C reading hostile input (its RIFF and VP8/VP8L
 * headers are checked here first); the GIF decoder shows a frame whose image
 * data ends early, as browsers do; the PNG decoder stops at the image's size
 * and never checks CRCs. Work is linear in the file size and capped (JPEG
 * scans, GIF frames), so a hostile file cannot burn CPU here.
 * Bytes after the end marker (EOI, IEND, trailer, RIFF size) are ignored.
 * @throws invalid_image when data is missing (no EOI/IEND/trailer, RIFF size
 *   past the end), a PNG CRC fails, or the structure is inconsistent.
 */
export function assertComplete(bytes: Uint8Array, format: ImageFormat): void {
  formatSpec(format).assertComplete(bytes);
}
