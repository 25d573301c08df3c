import { invalidImage } from '../bytes';
import { orientationFromExifChunk } from '../exif';
import type { ImageHeader, Orientation } from '../types';
import { chunkData, webpChunks, type RiffChunk } from './riff';
import { parseVp8, parseVp8l, parseVp8x, readAnmf, readFrameImage, type Vp8x } from './chunks';

const ANIM_PAYLOAD_SIZE = 6;

/**
 * Header-only read of a WebP: simple lossy (VP8), lossless (VP8L) or extended
 * (VP8X, canvas size from its header). For animations `frames` counts ANMF
 * chunks and `hasAlpha` is true, since frames are composited onto a
 * transparent canvas. Orientation comes from an EXIF chunk, if any.
 * @throws invalid_image when the RIFF layout or a header is short or invalid.
 */
export function probeWebp(bytes: Uint8Array): ImageHeader {
  const chunks = webpChunks(bytes);
  const first = firstChunk(chunks);
  const data = chunkData(bytes, first);
  if (first.fourcc === 'VP8 ') return simpleHeader({ ...parseVp8(data), hasAlpha: false });
  if (first.fourcc === 'VP8L') return simpleHeader(parseVp8l(data));
  if (first.fourcc !== 'VP8X') throw invalidImage('WebP image data is missing');

  const vp8x = parseVp8x(data);
  let anmfCount = 0;
  let alphSeen = false;
  let orientation: Orientation | undefined;
  for (const chunk of chunks) {
    if (chunk.fourcc === 'ANMF') anmfCount++;
    if (chunk.fourcc === 'ALPH') alphSeen = true;
    if (chunk.fourcc === 'EXIF' && orientation === undefined) {
      orientation = orientationFromExifChunk(chunkData(bytes, chunk));
    }
  }
  if (vp8x.animated && anmfCount === 0) throw invalidImage('WebP animation has no frames');
  return {
    format: 'webp',
    width: vp8x.canvasWidth,
    height: vp8x.canvasHeight,
    orientation: orientation ?? 1,
    frames: vp8x.animated ? anmfCount : 1,
    hasAlpha: vp8x.hasAlpha || alphSeen || vp8x.animated,
  };
}

/**
 * Walks the RIFF structure and checks that the image data is entirely present
 * with valid VP8/VP8L/ALPH headers: for VP8X stills the image must match the
 * canvas; for animations ANIM must precede the ANMF frames, each of which must
 * hold a whole image inside the canvas.
 * @throws invalid_image when data is missing, inconsistent or corrupt.
 */
export function assertWebpComplete(bytes: Uint8Array): void {
  const chunks = webpChunks(bytes);
  const first = firstChunk(chunks);
  const data = chunkData(bytes, first);
  if (first.fourcc === 'VP8 ') parseVp8(data);
  else if (first.fourcc === 'VP8L') parseVp8l(data);
  else if (first.fourcc !== 'VP8X') throw invalidImage('WebP image data is missing');
  else {
    const vp8x = parseVp8x(data);
    if (vp8x.animated) checkAnimation(bytes, chunks, vp8x);
    else checkExtendedStill(bytes, chunks, vp8x);
  }
  walkToEnd(chunks);
}

/** Iterating is the check: a chunk running past the RIFF end throws. */
function walkToEnd(chunks: Iterator<RiffChunk>): void {
  while (!chunks.next().done);
}

function firstChunk(chunks: Iterator<RiffChunk>): RiffChunk {
  const first = chunks.next();
  if (first.done) throw invalidImage('WebP image data is missing');
  return first.value;
}

function simpleHeader(image: { width: number; height: number; hasAlpha: boolean }): ImageHeader {
  return {
    format: 'webp',
    width: image.width,
    height: image.height,
    orientation: 1,
    frames: 1,
    hasAlpha: image.hasAlpha,
  };
}

function checkExtendedStill(bytes: Uint8Array, chunks: Iterator<RiffChunk>, vp8x: Vp8x): void {
  const image = readFrameImage(bytes, chunks);
  if (image.width !== vp8x.canvasWidth || image.height !== vp8x.canvasHeight) {
    throw invalidImage('WebP image size does not match its canvas');
  }
}

function checkAnimation(bytes: Uint8Array, chunks: Iterator<RiffChunk>, vp8x: Vp8x): void {
  let animSeen = false;
  let frames = 0;
  for (let next = chunks.next(); !next.done; next = chunks.next()) {
    const chunk = next.value;
    if (chunk.fourcc === 'ANIM') {
      if (chunk.size < ANIM_PAYLOAD_SIZE) throw invalidImage('WebP animation header is invalid');
      animSeen = true;
    } else if (chunk.fourcc === 'ANMF') {
      if (!animSeen) throw invalidImage('WebP animation header is missing');
      readAnmf(bytes, chunk, vp8x);
      frames++;
    }
  }
  if (frames === 0) throw invalidImage('WebP animation has no frames');
}
