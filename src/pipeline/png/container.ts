import { ByteReader, invalidImage, startsWith } from '../bytes';
import { crc32 } from '../crc32';
import { orientationFromExifChunk } from '../exif';
import type { ImageHeader, Orientation } from '../types';

/** PNG §5.2. */
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_U31 = 2 ** 31 - 1;

/** Allowed bit depths per colour type (PNG spec, table 11.1). */
const BIT_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

interface PngChunk {
  type: string;
  data: Uint8Array;
}

/** The fields of IHDR the pipeline cares about. */
export interface PngIhdr {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

/**
 * Header-only read of a PNG: IHDR, then the chunks before the first IDAT for
 * tRNS (alpha), eXIf (orientation) and acTL (APNG frame count). For APNG,
 * `frames` is acTL's num_frames so frame limits apply as for GIF, although
 * only the default image is decoded.
 * @throws invalid_image when IHDR is not first, is malformed or has an invalid
 *   bit depth/colour type, or a chunk before IDAT runs past the end.
 */
export function probePng(bytes: Uint8Array): ImageHeader {
  const reader = new ByteReader(bytes);
  expectSignature(reader);
  const ihdr = parseIhdr(readChunk(reader, false));
  let hasAlpha = ihdr.colorType === 4 || ihdr.colorType === 6;
  let orientation: Orientation | undefined;
  let frames = 1;
  for (;;) {
    const chunk = readChunk(reader, false);
    if (chunk.type === 'IDAT' || chunk.type === 'IEND') break;
    if (chunk.type === 'tRNS') hasAlpha = true;
    if (chunk.type === 'eXIf' && orientation === undefined) orientation = orientationFromExifChunk(chunk.data);
    if (chunk.type === 'acTL') frames = readActlFrames(chunk.data);
  }
  return {
    format: 'png',
    width: ihdr.width,
    height: ihdr.height,
    orientation: orientation ?? 1,
    frames,
    hasAlpha,
    interlaced: ihdr.interlaced,
  };
}

/**
 * Walks every chunk from IHDR to IEND, checking lengths and each chunk's
 * CRC-32, that there is at least one IDAT, that IDATs are consecutive and that
 * a palette image has PLTE before its data. Bytes after IEND are ignored.
 * @throws invalid_image when a chunk is truncated or corrupt, or IEND is missing.
 */
export function assertPngComplete(bytes: Uint8Array): void {
  const reader = new ByteReader(bytes);
  expectSignature(reader);
  const ihdr = parseIhdr(readChunk(reader, true));
  let paletteSeen = false;
  let idat: 'before' | 'inside' | 'after' = 'before';
  for (;;) {
    const chunk = readChunk(reader, true);
    switch (chunk.type) {
      case 'IHDR':
        throw invalidImage('PNG has more than one IHDR chunk');
      case 'PLTE':
        checkPalette(chunk.data);
        paletteSeen = true;
        break;
      case 'IDAT':
        if (idat === 'after') throw invalidImage('PNG image data chunks are not consecutive');
        if (ihdr.colorType === 3 && !paletteSeen) throw invalidImage('PNG palette is missing');
        idat = 'inside';
        break;
      case 'IEND':
        if (idat === 'before') throw invalidImage('PNG has no image data');
        return;
      default:
        if (idat === 'inside') idat = 'after';
    }
  }
}

/** Parses IHDR, which must be the first chunk. */
export function parseIhdr(chunk: PngChunk): PngIhdr {
  if (chunk.type !== 'IHDR' || chunk.data.length !== 13) throw invalidImage('PNG header chunk is missing');
  const reader = new ByteReader(chunk.data);
  const width = reader.u32be();
  const height = reader.u32be();
  const bitDepth = reader.u8();
  const colorType = reader.u8();
  const compression = reader.u8();
  const filter = reader.u8();
  const interlace = reader.u8();
  if (width === 0 || height === 0 || width > MAX_U31 || height > MAX_U31) {
    throw invalidImage('PNG dimensions are invalid');
  }
  if (!BIT_DEPTHS[colorType]?.includes(bitDepth)) throw invalidImage('PNG bit depth or colour type is invalid');
  if (compression !== 0 || filter !== 0 || interlace > 1) throw invalidImage('PNG header is invalid');
  return { width, height, bitDepth, colorType, interlaced: interlace === 1 };
}

function expectSignature(reader: ByteReader): void {
  if (!startsWith(reader.bytes, PNG_SIGNATURE)) throw invalidImage('PNG signature is missing');
  reader.skip(PNG_SIGNATURE.length);
}

/** Reads one chunk (length, type, data, CRC), bounds-checked; the CRC is checked when asked. */
export function readChunk(reader: ByteReader, verifyCrc: boolean): PngChunk {
  const length = reader.u32be();
  if (length > MAX_U31) throw invalidImage('PNG chunk length is invalid');
  const typeAndData = reader.take(4 + length);
  const crc = reader.u32be();
  const type = String.fromCharCode(...typeAndData.subarray(0, 4));
  if (!/^[A-Za-z]{4}$/.test(type)) throw invalidImage('PNG chunk type is invalid');
  if (verifyCrc && crc32(typeAndData) !== crc) throw invalidImage('PNG chunk checksum mismatch');
  return { type, data: typeAndData.subarray(4) };
}

/** Only what libpng treats as fatal; an over-long palette for the bit depth is just a warning there. */
function checkPalette(data: Uint8Array): void {
  const entries = data.length / 3;
  if (!Number.isInteger(entries) || entries < 1 || entries > 256) throw invalidImage('PNG palette is invalid');
}

/** APNG's num_frames; an unusable acTL is ignored, as APNG decoders then show the default image. */
function readActlFrames(data: Uint8Array): number {
  if (data.length !== 8) return 1;
  const frames = new ByteReader(data).u32be();
  return frames >= 1 ? frames : 1;
}
