import { containsAscii } from '../fixtures/bytes';
import { LEAK_MARKERS } from '../fixtures/metadata';

// Parses stored WebP output for privacy and size assertions (WebP container
// spec: https://developers.google.com/speed/webp/docs/riff_container).

export interface WebpChunk {
  /** Four-character code, e.g. 'VP8 ', 'VP8L', 'VP8X', 'ALPH', 'EXIF'. */
  fourcc: string;
  /** Payload size from the chunk header (excluding the pad byte). */
  size: number;
  /** Offset of the payload in the file. */
  offset: number;
}

/** VP8X flag bits (byte 0 of its payload). */
export const VP8X_FLAG = { icc: 0x20, alpha: 0x10, exif: 0x08, xmp: 0x04, animation: 0x02 } as const;

/** Top-level chunks allowed in a metadata-free still image. */
const IMAGE_CHUNKS = new Set(['VP8 ', 'VP8L', 'VP8X', 'ALPH']);

function fourccAt(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

function u32le(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function u24le(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
}

/**
 * Walks the RIFF container's top-level chunks. Strict: throws unless the file
 * is 'RIFF' <size> 'WEBP', the RIFF size matches the byte length exactly, and
 * the chunks (with their pad bytes) tile the rest of the file.
 */
export function webpChunks(bytes: Uint8Array): WebpChunk[] {
  if (bytes.length < 12 || fourccAt(bytes, 0) !== 'RIFF' || fourccAt(bytes, 8) !== 'WEBP') {
    throw new Error('not a RIFF/WEBP file');
  }
  const riffSize = u32le(bytes, 4);
  if (riffSize + 8 !== bytes.length) throw new Error(`RIFF size ${riffSize} + 8 != file length ${bytes.length}`);
  const chunks: WebpChunk[] = [];
  let at = 12;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) throw new Error(`truncated chunk header at ${at}`);
    const fourcc = fourccAt(bytes, at);
    if (!/^[\x20-\x7e]{4}$/.test(fourcc)) throw new Error(`bad fourcc at ${at}`);
    const size = u32le(bytes, at + 4);
    const end = at + 8 + size + (size & 1);
    if (end > bytes.length) throw new Error(`chunk ${fourcc} at ${at} overruns the file`);
    chunks.push({ fourcc, size, offset: at + 8 });
    at = end;
  }
  if (chunks.length === 0) throw new Error('RIFF/WEBP file has no chunks');
  return chunks;
}

/** Canvas size from the header (VP8X canvas, VP8 frame header or VP8L header). */
export function webpSize(bytes: Uint8Array): { width: number; height: number } {
  const [first] = webpChunks(bytes);
  const p = first!.offset;
  switch (first!.fourcc) {
    case 'VP8X':
      return { width: u24le(bytes, p + 4) + 1, height: u24le(bytes, p + 7) + 1 };
    case 'VP8 ':
      if (bytes[p + 3] !== 0x9d || bytes[p + 4] !== 0x01 || bytes[p + 5] !== 0x2a)
        throw new Error('bad VP8 start code');
      return {
        width: (bytes[p + 6]! | (bytes[p + 7]! << 8)) & 0x3fff,
        height: (bytes[p + 8]! | (bytes[p + 9]! << 8)) & 0x3fff,
      };
    case 'VP8L': {
      if (bytes[p] !== 0x2f) throw new Error('bad VP8L signature');
      const bits = u32le(bytes, p + 1);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    default:
      throw new Error(`unexpected first chunk ${first!.fourcc}`);
  }
}

/** Whether the WebP declares alpha (VP8X alpha flag, or the VP8L alpha hint). Simple lossy VP8 never has alpha. */
export function webpHasAlpha(bytes: Uint8Array): boolean {
  const [first] = webpChunks(bytes);
  if (first!.fourcc === 'VP8X') return (bytes[first!.offset]! & VP8X_FLAG.alpha) !== 0;
  if (first!.fourcc === 'VP8L') return ((u32le(bytes, first!.offset + 1) >>> 28) & 1) === 1;
  return false;
}

/**
 * Throws unless `bytes` is a well-formed WebP with only image chunks
 * (VP8/VP8L/VP8X/ALPH), no ICC/EXIF/XMP flag in VP8X, and none of the leak
 * markers ('CANARY-', 'Exif', 'GPS', 'xpacket', 'ICC_PROFILE', 'acsp', the
 * fixtures' planted date) anywhere in the bytes. Encoder output is
 * deterministic, so a chance match inside a bitstream would fail every run,
 * never intermittently.
 */
export function assertNoMetadata(bytes: Uint8Array): void {
  const chunks = webpChunks(bytes);
  const extra = chunks.filter((c) => !IMAGE_CHUNKS.has(c.fourcc)).map((c) => c.fourcc);
  if (extra.length > 0) throw new Error(`WebP has non-image chunks: ${extra.join(', ')}`);
  const vp8x = chunks.find((c) => c.fourcc === 'VP8X');
  if (vp8x) {
    const flags = bytes[vp8x.offset]!;
    const set = (['icc', 'exif', 'xmp'] as const).filter((f) => flags & VP8X_FLAG[f]);
    if (set.length > 0) throw new Error(`VP8X declares metadata: ${set.join(', ')}`);
  }
  const found = LEAK_MARKERS.filter((s) => containsAscii(bytes, s));
  if (found.length > 0) throw new Error(`WebP bytes contain ${found.map((s) => JSON.stringify(s)).join(', ')}`);
}
