import { ByteReader, invalidImage } from '../bytes';
import { chunkData, riffChunks, type RiffChunk } from './riff';

const VP8X_FLAG_ANIMATION = 0x02;
const VP8X_FLAG_EXIF = 0x08;
const VP8X_FLAG_ALPHA = 0x10;
const ANMF_HEADER_SIZE = 16;

interface Size {
  width: number;
  height: number;
}

/** The extended-format header (VP8X chunk). */
export interface Vp8x {
  animated: boolean;
  hasAlpha: boolean;
  hasExif: boolean;
  canvasWidth: number;
  canvasHeight: number;
}

/** One image: a VP8 or VP8L bitstream, with the ALPH chunk that precedes a VP8 one. */
export interface FrameImage extends Size {
  alpha?: RiffChunk;
  bitstream: RiffChunk;
}

/** An ANMF chunk: a frame's placement on the canvas and its image. */
export interface AnmfFrame extends Size {
  /** Offset on the canvas in pixels (the file stores half of it). */
  x: number;
  y: number;
  image: FrameImage;
}

/**
 * Checks a VP8 (lossy) frame header: key frame, shown, known version, start
 * code 9d 01 2a, non-zero size, first partition inside the chunk.
 * @throws invalid_image
 */
export function parseVp8(data: Uint8Array): Size {
  const reader = new ByteReader(data);
  const tag = reader.u24le();
  const keyFrame = (tag & 1) === 0;
  const version = (tag >> 1) & 7;
  const shown = ((tag >> 4) & 1) === 1;
  const firstPartitionSize = tag >>> 5;
  if (!keyFrame || version > 3 || !shown) throw invalidImage('WebP lossy frame header is invalid');
  if (reader.u8() !== 0x9d || reader.u8() !== 0x01 || reader.u8() !== 0x2a) {
    throw invalidImage('WebP lossy frame header is invalid');
  }
  // The top two bits of each are an upscaling hint, not part of the size.
  const width = reader.u16le() & 0x3fff;
  const height = reader.u16le() & 0x3fff;
  if (width === 0 || height === 0) throw invalidImage('WebP dimensions are invalid');
  if (firstPartitionSize > reader.remaining) throw invalidImage('WebP data is truncated');
  return { width, height };
}

/**
 * Checks a VP8L (lossless) header: signature 0x2f, version 0.
 * @throws invalid_image
 */
export function parseVp8l(data: Uint8Array): Size & { hasAlpha: boolean } {
  const reader = new ByteReader(data);
  if (reader.u8() !== 0x2f) throw invalidImage('WebP lossless header is invalid');
  const bits = reader.u32le();
  if (bits >>> 29 !== 0) throw invalidImage('WebP lossless header is invalid');
  return {
    width: (bits & 0x3fff) + 1,
    height: ((bits >>> 14) & 0x3fff) + 1,
    hasAlpha: ((bits >>> 28) & 1) === 1,
  };
}

/**
 * Parses the VP8X chunk: feature flags and the 24-bit canvas size.
 * @throws invalid_image when the chunk is not 10 bytes or the canvas is over 2^32 pixels.
 */
export function parseVp8x(data: Uint8Array): Vp8x {
  if (data.length !== 10) throw invalidImage('WebP extended header is invalid');
  const reader = new ByteReader(data);
  const flags = reader.u8();
  reader.skip(3);
  const canvasWidth = reader.u24le() + 1;
  const canvasHeight = reader.u24le() + 1;
  // The container spec caps width * height at 2^32 - 1.
  if (canvasWidth * canvasHeight > 2 ** 32 - 1) throw invalidImage('WebP dimensions are invalid');
  return {
    animated: (flags & VP8X_FLAG_ANIMATION) !== 0,
    hasAlpha: (flags & VP8X_FLAG_ALPHA) !== 0,
    hasExif: (flags & VP8X_FLAG_EXIF) !== 0,
    canvasWidth,
    canvasHeight,
  };
}

/**
 * Finds the image in a chunk sequence: an optional ALPH immediately followed
 * by VP8, or a VP8L alone (it carries its own alpha). Other chunks before the
 * image are skipped; iteration stops just after the image.
 * @throws invalid_image when there is no image, ALPH is not followed by VP8,
 *   or a header is invalid.
 */
export function readFrameImage(bytes: Uint8Array, chunks: Iterator<RiffChunk>): FrameImage {
  for (let next = chunks.next(); !next.done; next = chunks.next()) {
    const chunk = next.value;
    if (chunk.fourcc === 'ALPH') {
      checkAlph(chunkData(bytes, chunk));
      const after = chunks.next();
      if (after.done || after.value.fourcc !== 'VP8 ') throw invalidImage('WebP alpha chunk is misplaced');
      return { alpha: chunk, bitstream: after.value, ...parseVp8(chunkData(bytes, after.value)) };
    }
    if (chunk.fourcc === 'VP8 ') return { bitstream: chunk, ...parseVp8(chunkData(bytes, chunk)) };
    if (chunk.fourcc === 'VP8L') {
      const { width, height } = parseVp8l(chunkData(bytes, chunk));
      return { bitstream: chunk, width, height };
    }
  }
  throw invalidImage('WebP image data is missing');
}

/**
 * Reads an ANMF chunk: placement, size and the frame's image, whose size must
 * match the frame's and which must lie inside the canvas.
 * @throws invalid_image
 */
export function readAnmf(bytes: Uint8Array, chunk: RiffChunk, canvas: Vp8x): AnmfFrame {
  const reader = new ByteReader(chunkData(bytes, chunk));
  const x = reader.u24le() * 2;
  const y = reader.u24le() * 2;
  const width = reader.u24le() + 1;
  const height = reader.u24le() + 1;
  reader.skip(4); // duration (24 bits) and blend/dispose flags
  if (x + width > canvas.canvasWidth || y + height > canvas.canvasHeight) {
    throw invalidImage('WebP animation frame lies outside the canvas');
  }
  const start = chunk.start + ANMF_HEADER_SIZE;
  const image = readFrameImage(bytes, riffChunks(bytes, start, chunk.start + chunk.size));
  if (image.width !== width || image.height !== height) throw invalidImage('WebP animation frame size mismatch');
  return { x, y, width, height, image };
}

/** ALPH header byte (reserved:2 preprocessing:2 filter:2 compression:2), checked as libwebp does. */
function checkAlph(data: Uint8Array): void {
  const header = new ByteReader(data).u8();
  const compression = header & 0x03;
  const preprocessing = (header >> 4) & 0x03;
  if (compression > 1 || preprocessing > 1 || header >> 6 !== 0) throw invalidImage('WebP alpha chunk is invalid');
}
