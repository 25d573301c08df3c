import { PipelineError } from '../errors';
import { invalidImage } from '../bytes';
import { readGif, readSubBlocks } from './container';
import type { RowSink } from '../rows';
import type { RgbaImage } from '../types';
import { LzwDecoder } from './lzw';

/** Options for {@link decodeGif}. */
export interface GifDecodeOptions {
  /** Upper bound on both the logical screen's and the first frame's pixel count. */
  maxPixels: number;
}

/**
 * Decodes the FIRST frame of a GIF (for an animation, the rest is ignored)
 * onto a transparent logical screen of the GIF's width × height. The frame may
 * be smaller and offset; parts outside the screen are clipped. The frame's
 * transparent index (from its graphic control extension) stays transparent,
 * as do indices beyond the colour table.
 *
 * Image data that ends early (an early end code, or codes that cannot occur in
 * a valid stream) is not an error: the pixels not yet drawn stay transparent,
 * as browsers show a partial frame. Run `assertComplete` first to reject files
 * whose block structure is cut short.
 *
 * The frame is held as palette indices (1 byte per pixel); the screen is
 * produced one whole RGBA row at a time into `sink`, top to bottom, so a caller
 * can resample it without a full RGBA frame.
 * @throws dimensions_exceeded when the screen or the first frame has more than `maxPixels` pixels (checked before allocating).
 * @throws invalid_image when the block structure is corrupt, there is no image or no colour table.
 */
export function decodeGifRows(
  bytes: Uint8Array,
  options: GifDecodeOptions,
  sink: RowSink,
): { width: number; height: number } {
  const { screen, frames } = readGif(bytes);
  const first = frames.next();
  if (first.done) throw invalidImage('GIF has no image');
  const frame = first.value;
  checkPixels(screen.width, screen.height, options.maxPixels);
  // LZW output is bounded by the frame's area, so that area is also what bounds the CPU spent.
  checkPixels(frame.width, frame.height, options.maxPixels);
  const palette = frame.localPalette ?? screen.globalPalette;
  if (palette === undefined) throw invalidImage('GIF colour table is missing');

  const indices = new Uint8Array(frame.width * frame.height);
  const lzw = new LzwDecoder(readSubBlocks(bytes, frame.dataOffset), frame.minCodeSize);
  // Indices past `written` were never decoded (the data ended early).
  let written = 0;
  for (let s = 0; s < frame.height; s++) written += lzw.read(indices, s * frame.width, (s + 1) * frame.width);
  // Stream row s holds frame row order[s]; invert it to know which frame rows were drawn.
  const order = frame.interlaced ? interlacedRowOrder(frame.height) : undefined;
  const streamRowOf = new Uint32Array(frame.height);
  for (let s = 0; s < frame.height; s++) streamRowOf[order ? order[s]! : s] = s;

  const colours = palette.length / 3;
  // -1 (no transparent index) matches no index.
  const transparent = frame.transparentIndex ?? -1;
  // Frame columns that land on the screen.
  const drawnWidth = Math.max(0, Math.min(frame.width, screen.width - frame.left));
  const row = new Uint8ClampedArray(screen.width * 4);
  for (let y = 0; y < screen.height; y++) {
    row.fill(0);
    const fy = y - frame.top;
    if (fy >= 0 && fy < frame.height) {
      const start = streamRowOf[fy]! * frame.width;
      // Indices past `written` were never decoded (the data ended early): those pixels stay transparent.
      const count = Math.max(0, Math.min(drawnWidth, written - start));
      paintRow(row, frame.left * 4, indices, start, count, palette, colours, transparent);
    }
    sink.put(y, row);
  }
  return { width: screen.width, height: screen.height };
}

/** {@link decodeGifRows} collected into one RGBA image of the logical screen's size (for tests and tools). */
export function decodeGif(bytes: Uint8Array, options: GifDecodeOptions): RgbaImage {
  const rows: (Uint8Array | Uint8ClampedArray)[] = [];
  const size = decodeGifRows(bytes, options, { put: (_y, rgba) => rows.push(rgba.slice()) });
  const data = new Uint8ClampedArray(size.width * size.height * 4);
  rows.forEach((row, y) => data.set(row, y * size.width * 4));
  return { ...size, data };
}

/**
 * Paints `count` pixels of palette indices from `indices[start]` into `row`
 * from byte offset `o`; the transparent index and indices past the colour
 * table are left as they are (transparent). A loop of its own, not nested in
 * the row loop: V8 discards on-stack-replaced code for an inner loop each time
 * that loop exits, so the first images of an isolate would run it unoptimised.
 */
function paintRow(
  row: Uint8ClampedArray,
  o: number,
  indices: Uint8Array,
  start: number,
  count: number,
  palette: Uint8Array,
  colours: number,
  transparent: number,
): void {
  for (let i = start, end = start + count; i < end; i++, o += 4) {
    const index = indices[i]!;
    if (index === transparent || index >= colours) continue;
    const p = index * 3;
    row[o] = palette[p]!;
    row[o + 1] = palette[p + 1]!;
    row[o + 2] = palette[p + 2]!;
    row[o + 3] = 255;
  }
}

function checkPixels(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new PipelineError(
      'dimensions_exceeded',
      `Image has ${width}x${height} pixels, more than the limit of ${maxPixels}`,
      {
        details: { width, height, maxPixels },
      },
    );
  }
}

/** The frame row for each row in the stream, for an interlaced image (GIF89a Appendix E). */
function interlacedRowOrder(height: number): Uint32Array {
  const order = new Uint32Array(height);
  let i = 0;
  for (const [start, step] of [
    [0, 8],
    [4, 8],
    [2, 4],
    [1, 2],
  ] as const) {
    for (let row = start; row < height; row += step) order[i++] = row;
  }
  return order;
}
