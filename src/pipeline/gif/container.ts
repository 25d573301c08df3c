import { asciiBytes, ByteReader, invalidImage, startsWith } from '../bytes';
import type { ImageHeader } from '../types';

const GIF87A = asciiBytes('GIF87a');
const GIF89A = asciiBytes('GIF89a');
const EXTENSION = 0x21;
const IMAGE_DESCRIPTOR = 0x2c;
const TRAILER = 0x3b;
const GRAPHIC_CONTROL_LABEL = 0xf9;

/** A sanity cap on the block walk, well above any frame limit the gateway sets. */
export const MAX_GIF_FRAMES = 10_000;

/** The logical screen descriptor and global colour table. */
export interface GifScreen {
  width: number;
  height: number;
  /** RGB triplets, or undefined when there is no global colour table. */
  globalPalette?: Uint8Array;
}

/** One image descriptor with what applies to it. */
export interface GifFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  interlaced: boolean;
  /** Local colour table (RGB triplets), overriding the global one. */
  localPalette?: Uint8Array;
  /** From the graphic control extension just before this image, if it sets the transparency flag. */
  transparentIndex?: number;
  /** LZW minimum code size (1..8). */
  minCodeSize: number;
  /** Offset of the first image-data sub-block's length byte; the sub-blocks are known to be complete. */
  dataOffset: number;
}

/** Told about the blocks a frame walk passes (for the metadata read, gif/metadata.ts). */
export interface GifBlockVisitor {
  /** An extension block: its label and its first data sub-block (cut short at the end of the data). */
  extension?(label: number, firstSubBlock: Uint8Array): void;
  /** The trailer: `end` is the offset just past it. */
  trailer?(end: number): void;
}

/** A GIF's screen and a lazy walk over its frames. */
export interface GifLayout {
  screen: GifScreen;
  /**
   * Yields each image in order and returns at the trailer.
   * @throws invalid_image (lazily) on an unknown block, a block cut short, a
   *   missing trailer or more than {@link MAX_GIF_FRAMES} frames.
   */
  frames: Generator<GifFrame, void, undefined>;
}

/**
 * Reads the header, logical screen descriptor and global colour table, and
 * returns a lazy walk over the blocks that follow.
 * @throws invalid_image when the header is short or the screen has no area.
 */
export function readGif(bytes: Uint8Array, visitor: GifBlockVisitor = {}): GifLayout {
  if (!startsWith(bytes, GIF87A) && !startsWith(bytes, GIF89A)) throw invalidImage('GIF signature is missing');
  const reader = new ByteReader(bytes, 6);
  const width = reader.u16le();
  const height = reader.u16le();
  const packed = reader.u8();
  reader.skip(2); // background colour index, pixel aspect ratio
  if (width === 0 || height === 0) throw invalidImage('GIF dimensions are invalid');
  const globalPalette = readColourTable(reader, packed);
  return { screen: { width, height, globalPalette }, frames: walkFrames(reader, visitor) };
}

/**
 * Reads the screen size and walks the blocks to count images (sub-blocks are
 * skipped by their length bytes, without decoding). `hasAlpha` is true when
 * any image has a transparent colour or the first image does not cover the
 * screen, since the decoder composites it onto a transparent screen.
 * @throws invalid_image when the structure is short, unknown or has no image.
 */
export function probeGif(bytes: Uint8Array): ImageHeader {
  const { screen, frames } = readGif(bytes);
  let count = 0;
  let hasAlpha = false;
  for (const frame of frames) {
    if (frame.transparentIndex !== undefined || (count === 0 && !coversScreen(frame, screen))) hasAlpha = true;
    count++;
  }
  if (count === 0) throw invalidImage('GIF has no image');
  return { format: 'gif', width: screen.width, height: screen.height, orientation: 1, frames: count, hasAlpha };
}

/**
 * Reads the whole block structure up to the trailer.
 * @throws invalid_image when anything is missing or unknown.
 */
export function assertGifComplete(bytes: Uint8Array): void {
  const { frames } = readGif(bytes);
  let count = 0;
  for (const _frame of frames) count++;
  if (count === 0) throw invalidImage('GIF has no image');
}

/**
 * Concatenates the data sub-blocks starting at `offset` (a length byte; 0 ends them).
 * @throws invalid_image when a sub-block runs past the end.
 */
export function readSubBlocks(bytes: Uint8Array, offset: number): Uint8Array {
  const reader = new ByteReader(bytes, offset);
  let total = 0;
  for (let size = reader.u8(); size !== 0; size = reader.u8()) {
    reader.skip(size);
    total += size;
  }
  const data = new Uint8Array(total);
  reader.seek(offset);
  let filled = 0;
  for (let size = reader.u8(); size !== 0; size = reader.u8()) {
    data.set(reader.take(size), filled);
    filled += size;
  }
  return data;
}

function coversScreen(frame: GifFrame, screen: GifScreen): boolean {
  return frame.left === 0 && frame.top === 0 && frame.width >= screen.width && frame.height >= screen.height;
}

function* walkFrames(reader: ByteReader, visitor: GifBlockVisitor): Generator<GifFrame, void, undefined> {
  let transparentIndex: number | undefined;
  let count = 0;
  for (;;) {
    const introducer = reader.u8();
    if (introducer === TRAILER) {
      visitor.trailer?.(reader.pos);
      return;
    }
    if (introducer === EXTENSION) {
      const control = readExtension(reader, visitor);
      if (control !== undefined) transparentIndex = control.transparentIndex;
    } else if (introducer === IMAGE_DESCRIPTOR) {
      if (++count > MAX_GIF_FRAMES) throw invalidImage('GIF has too many frames');
      yield readImage(reader, transparentIndex);
      // A graphic control extension applies to the next image only.
      transparentIndex = undefined;
    } else {
      throw invalidImage('GIF block is invalid');
    }
  }
}

/** Skips an extension; for a graphic control extension returns its transparency. */
function readExtension(reader: ByteReader, visitor: GifBlockVisitor): { transparentIndex?: number } | undefined {
  const label = reader.u8();
  const size = reader.bytes[reader.pos] ?? 0;
  visitor.extension?.(label, reader.bytes.subarray(reader.pos + 1, reader.pos + 1 + size));
  let control: { transparentIndex?: number } | undefined;
  if (label === GRAPHIC_CONTROL_LABEL && reader.bytes[reader.pos] === 4) {
    const block = new ByteReader(reader.take(5), 1);
    const flags = block.u8();
    block.skip(2); // delay
    const index = block.u8();
    control = (flags & 1) === 1 ? { transparentIndex: index } : {};
  }
  skipSubBlocks(reader);
  return control;
}

function readImage(reader: ByteReader, transparentIndex: number | undefined): GifFrame {
  const left = reader.u16le();
  const top = reader.u16le();
  const width = reader.u16le();
  const height = reader.u16le();
  const packed = reader.u8();
  const localPalette = readColourTable(reader, packed);
  const minCodeSize = reader.u8();
  if (minCodeSize < 1 || minCodeSize > 8) throw invalidImage('GIF image data is invalid');
  const dataOffset = reader.pos;
  skipSubBlocks(reader);
  return {
    left,
    top,
    width,
    height,
    interlaced: (packed & 0x40) !== 0,
    localPalette,
    transparentIndex,
    minCodeSize,
    dataOffset,
  };
}

/** The colour table announced by bit 7 of a packed field, with 2^(n+1) entries. */
function readColourTable(reader: ByteReader, packed: number): Uint8Array | undefined {
  if ((packed & 0x80) === 0) return undefined;
  return reader.take(3 * 2 ** ((packed & 0x07) + 1));
}

function skipSubBlocks(reader: ByteReader): void {
  for (let size = reader.u8(); size !== 0; size = reader.u8()) reader.skip(size);
}
