import { asciiBytes, invalidImage } from '../bytes';
import { chunkData, webpChunks, type RiffChunk } from './riff';
import { parseVp8x, readAnmf, type FrameImage } from './chunks';

const VP8X_FLAG_ALPHA = 0x10;

/** The first frame of an animated WebP as a standalone still, and where it goes. */
export interface WebpFirstFrame {
  /** A still WebP (VP8, VP8L, or VP8X + ALPH + VP8) that libwebp's WebPDecode accepts. */
  still: Uint8Array;
  canvasWidth: number;
  canvasHeight: number;
  /** Offset of the frame on the canvas, in pixels. */
  x: number;
  y: number;
}

/**
 * Takes the first ANMF frame of an animated WebP and rewraps its image data
 * (VP8L, VP8, or ALPH + VP8) as a still WebP file, because WebPDecode refuses
 * animations. The caller composites the decoded frame onto a transparent
 * canvas at (x, y); the frame is known to lie inside the canvas.
 * @throws invalid_image when the file is not an animated WebP or its first frame is malformed.
 */
export function extractFirstWebpFrame(bytes: Uint8Array): WebpFirstFrame {
  const chunks = webpChunks(bytes);
  const header = chunks.next();
  if (header.done || header.value.fourcc !== 'VP8X') throw invalidImage('WebP is not animated');
  const vp8x = parseVp8x(chunkData(bytes, header.value));
  if (!vp8x.animated) throw invalidImage('WebP is not animated');
  for (const chunk of chunks) {
    if (chunk.fourcc !== 'ANMF') continue;
    const frame = readAnmf(bytes, chunk, vp8x);
    return {
      still: wrapStill(bytes, frame.image),
      canvasWidth: vp8x.canvasWidth,
      canvasHeight: vp8x.canvasHeight,
      x: frame.x,
      y: frame.y,
    };
  }
  throw invalidImage('WebP animation has no frames');
}

/**
 * Whether the file is an animated WebP (VP8X with the animation flag), even
 * with a single frame: WebPDecode refuses those, so they need
 * {@link extractFirstWebpFrame}. Never throws; false for anything unreadable.
 */
export function isAnimatedWebp(bytes: Uint8Array): boolean {
  try {
    const header = webpChunks(bytes).next();
    return !header.done && header.value.fourcc === 'VP8X' && parseVp8x(chunkData(bytes, header.value)).animated;
  } catch {
    return false;
  }
}

function wrapStill(bytes: Uint8Array, image: FrameImage): Uint8Array {
  const bitstream = copyChunk(bytes, image.bitstream);
  if (image.alpha === undefined) return riff([bitstream]);
  // A lossy bitstream with separate alpha is only valid in the extended format.
  const vp8x = new Uint8Array(10);
  vp8x[0] = VP8X_FLAG_ALPHA;
  writeU24le(vp8x, 4, image.width - 1);
  writeU24le(vp8x, 7, image.height - 1);
  return riff([chunk('VP8X', vp8x), copyChunk(bytes, image.alpha), bitstream]);
}

function copyChunk(bytes: Uint8Array, source: RiffChunk): Uint8Array {
  return chunk(source.fourcc, chunkData(bytes, source));
}

/** A chunk with its 8-byte header and, for an odd size, the padding byte. */
function chunk(fourcc: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length + (payload.length % 2));
  out.set(asciiBytes(fourcc), 0);
  writeU32le(out, 4, payload.length);
  out.set(payload, 8);
  return out;
}

function riff(chunks: Uint8Array[]): Uint8Array {
  const size = chunks.reduce((sum, c) => sum + c.length, 4);
  const out = new Uint8Array(8 + size);
  out.set(asciiBytes('RIFF'), 0);
  writeU32le(out, 4, size);
  out.set(asciiBytes('WEBP'), 8);
  let at = 12;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function writeU24le(out: Uint8Array, at: number, value: number): void {
  out[at] = value & 0xff;
  out[at + 1] = (value >> 8) & 0xff;
  out[at + 2] = (value >> 16) & 0xff;
}

function writeU32le(out: Uint8Array, at: number, value: number): void {
  writeU24le(out, at, value);
  out[at + 3] = (value >>> 24) & 0xff;
}
